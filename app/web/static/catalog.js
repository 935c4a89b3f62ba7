// The catalog page's variant search: asks this beacon's /g_variants (POST) and shows, per
// dataset, whether the variant exists, its count and its allele frequencies by population.
// Data from the answer only ever reaches the page through textContent.
"use strict";

(function () {
  const API_VERSION = "v2.0.1";
  const form = document.getElementById("variant-search");
  const button = document.getElementById("search-button");
  const errorBox = document.getElementById("search-error");
  const status = document.getElementById("results-status");
  const warningList = document.getElementById("results-warnings");
  const granularityNote = document.getElementById("granularity-note");
  const resultSets = document.getElementById("result-sets");

  function value(id) {
    return document.getElementById(id).value.trim();
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  // The request parameters from the form, or throws an Error whose message tells the user why.
  function requestParameters() {
    const assemblyId = value("assembly") || "GRCh38";
    const position = value("position");
    const gene = value("gene-id");
    if (gene && position) {
      throw new Error("Give either a position or a gene, not both.");
    }
    if (gene) return { assemblyId: assemblyId, geneId: gene };
    const fields = {
      chromosome: value("chromosome"),
      position: position,
      "reference bases": value("reference").toUpperCase(),
      "alternate bases": value("alternate").toUpperCase(),
    };
    const missing = Object.keys(fields).filter((name) => !fields[name]);
    if (missing.length) {
      throw new Error("Missing: " + missing.join(", ") + " (or give a gene instead).");
    }
    if (!/^[1-9][0-9]*$/.test(position)) {
      throw new Error("The position must be a whole number from 1 (1-based).");
    }
    return {
      assemblyId: assemblyId,
      referenceName: fields.chromosome,
      start: [Number(position) - 1],
      referenceBases: fields["reference bases"],
      alternateBases: fields["alternate bases"],
    };
  }

  function clearResults() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    status.textContent = "";
    warningList.hidden = true;
    warningList.replaceChildren();
    granularityNote.hidden = true;
    granularityNote.textContent = "";
    resultSets.replaceChildren();
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    status.textContent = "";
  }

  function formatFrequency(frequency) {
    return typeof frequency === "number" ? frequency.toFixed(4) : "";
  }

  function frequencyTable(record, source) {
    const table = element("table", undefined, "frequencies");
    const label = record.variantInternalId || "this variant";
    table.appendChild(element("caption", "Allele frequencies of " + label + " in " + source));
    const head = table.createTHead().insertRow();
    for (const heading of ["Population", "Allele count", "Allele number", "Frequency"]) {
      const cell = element("th", heading);
      cell.scope = "col";
      head.appendChild(cell);
    }
    return table;
  }

  function appendFrequencies(container, record) {
    const sets = record.frequencyInPopulations || [];
    if (!sets.length) {
      container.appendChild(element("p", "This record gives no population frequencies.", "note"));
      return;
    }
    for (const set of sets) {
      const table = frequencyTable(record, set.source || "unknown source");
      table.dataset.source = String(set.source);
      const body = table.createTBody();
      for (const item of set.frequencies || []) {
        const row = body.insertRow();
        row.dataset.population = String(item.population);
        const name = element("th", String(item.population));
        name.scope = "row";
        row.appendChild(name);
        row.appendChild(element("td", item.alleleCount == null ? "" : String(item.alleleCount)));
        row.appendChild(element("td", item.alleleNumber == null ? "" : String(item.alleleNumber)));
        row.appendChild(element("td", formatFrequency(item.alleleFrequency)));
      }
      container.appendChild(table);
    }
  }

  // The dataset's name as the catalog below lists it, else its id.
  function datasetTitle(datasetId) {
    for (const article of document.querySelectorAll("article.dataset")) {
      if (article.dataset.datasetId === datasetId) {
        return article.querySelector("h4").textContent + " (" + datasetId + ")";
      }
    }
    return "Dataset " + datasetId;
  }

  function countText(resultSet) {
    const band = resultSet.info && resultSet.info.countBand;
    const count = resultSet.resultsCount;
    if (band) {
      return count + " (a reported " + count + " stands for " + band.min + " to " + band.max +
        ": small counts are not given exactly)";
    }
    return String(count);
  }

  function resultSetSection(resultSet, granularity) {
    const section = element("section", undefined, "result-set");
    section.dataset.datasetId = String(resultSet.id);
    section.appendChild(element("h3", datasetTitle(String(resultSet.id))));
    const facts = element("dl");
    facts.appendChild(element("dt", "Exists"));
    facts.appendChild(element("dd", resultSet.exists ? "Yes" : "No", "exists"));
    facts.appendChild(element("dt", "Count"));
    facts.appendChild(element("dd", countText(resultSet), "count"));
    section.appendChild(facts);
    if (granularity === "record" && resultSet.exists) {
      const records = resultSet.results || [];
      if (records.length < resultSet.resultsCount) {
        section.appendChild(element("p", "Showing the first " + records.length + ".", "note"));
      }
      for (const record of records) appendFrequencies(section, record);
    }
    return section;
  }

  function showAnswer(answer) {
    const granularity = (answer.meta && answer.meta.returnedGranularity) || "boolean";
    const summary = answer.responseSummary || {};
    status.textContent = summary.exists
      ? "Found in the datasets you may see."
      : "Not found in the datasets you may see.";
    const warnings = (answer.info && answer.info.warnings) || [];
    for (const warning of warnings) warningList.appendChild(element("li", warning));
    warningList.hidden = warnings.length === 0;
    if (granularity !== "record") {
      granularityNote.textContent = "This beacon answered at " + granularity + " level for " +
        "your access: allele frequencies need record access.";
      granularityNote.hidden = false;
    }
    const sets = (answer.response && answer.response.resultSets) || [];
    for (const resultSet of sets) resultSets.appendChild(resultSetSection(resultSet, granularity));
  }

  async function search(event) {
    event.preventDefault();
    clearResults();
    let parameters;
    try {
      parameters = requestParameters();
    } catch (problem) {
      showError(problem.message);
      form.dataset.state = "done";
      return;
    }
    const body = {
      meta: { apiVersion: API_VERSION },
      query: {
        requestParameters: parameters,
        requestedGranularity: "record",
        includeResultsetResponses: "ALL",
      },
    };
    button.disabled = true;
    form.dataset.state = "searching";
    status.textContent = "Searching…";
    resultSets.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.dataset.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      let answer = null;
      try {
        answer = await response.json();
      } catch (notJson) {
        answer = null;
      }
      if (!response.ok || !answer || answer.error) {
        const message = answer && answer.error && answer.error.errorMessage;
        showError("The beacon refused the query (HTTP " + response.status + ")" +
          (message ? ": " + message : "."));
        return;
      }
      showAnswer(answer);
    } catch (failure) {
      showError("Could not reach the beacon: " + failure.message);
    } finally {
      button.disabled = false;
      resultSets.removeAttribute("aria-busy");
      form.dataset.state = "done";
    }
  }

  form.addEventListener("submit", search);
})();
