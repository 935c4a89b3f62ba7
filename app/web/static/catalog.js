// The catalog page's variant search: asks this beacon's /g_variants (POST) and shows, per
// dataset, whether the variant exists, its count and its allele frequencies by population.
// On a hub's network page (form data-network="true") the answer comes from every node: the
// result sets are grouped by country, each naming its node and beacon, its count with its
// precision (exact, a band, or a lower bound) and the answer level the node gave, and a table
// says how each node took part (answered, failed and why, skipped).
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
  const network = form.dataset.network === "true";
  const nodeAnswers = document.getElementById("node-answers");

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
    if (nodeAnswers) {
      nodeAnswers.hidden = true;
      nodeAnswers.replaceChildren();
    }
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

  // The dataset's name as the catalog below lists it (on a hub: of that beacon), else its id.
  function datasetTitle(datasetId, beaconId) {
    for (const article of document.querySelectorAll("article.dataset")) {
      if (article.dataset.datasetId !== datasetId) continue;
      if (beaconId && article.dataset.beaconId !== beaconId) continue;
      return article.querySelector("h4").textContent + " (" + datasetId + ")";
    }
    return "Dataset " + datasetId;
  }

  // A hub's result set: a dataset's, a whole node's (it answered without per-dataset sets),
  // or the empty set of a node that did not answer.
  function networkSetTitle(resultSet) {
    const info = resultSet.info || {};
    if (info.unanswered) return "Node " + info.nodeId + " did not answer";
    if (resultSet.setType === "beacon") return "Every dataset of beacon " + resultSet.beaconId;
    return datasetTitle(String(resultSet.id), String(resultSet.beaconId));
  }

  function countText(resultSet) {
    const info = resultSet.info || {};
    const band = info.countBand;
    const count = resultSet.resultsCount;
    if (info.countPrecision === "lowerBound") return "at least " + count;
    if (info.countPrecision === "band" && band) {
      return band.min + "–" + band.max + " (counts are given in bands, not exactly)";
    }
    if (band) {
      return count + " (a reported " + count + " stands for " + band.min + " to " + band.max +
        ": counts are given in bands, not exactly)";
    }
    return String(count);
  }

  function fact(list, term, text, className) {
    list.appendChild(element("dt", term));
    list.appendChild(element("dd", text, className));
  }

  // A country's name as the page's node table gives it, else its code.
  function countryName(code) {
    for (const row of document.querySelectorAll("[data-country-name]")) {
      if (row.dataset.country === code && row.dataset.countryName) return row.dataset.countryName;
    }
    return code || "Country not stated";
  }

  function resultSetSection(resultSet, granularity) {
    const info = resultSet.info || {};
    const section = element("section", undefined, "result-set");
    section.dataset.datasetId = String(resultSet.id);
    const facts = element("dl");
    if (network) {
      // each node answered at its own level for this caller (the hub's is the coarsest)
      granularity = info.returnedGranularity || granularity;
      section.dataset.beaconId = String(resultSet.beaconId);
      section.dataset.nodeId = String(info.nodeId);
      section.dataset.country = String(info.country);
      section.dataset.setType = String(resultSet.setType);
      section.appendChild(element("h4", networkSetTitle(resultSet)));
      fact(facts, "Country", countryName(info.country) + " (" + info.country + ")", "country");
      fact(facts, "Node", String(info.nodeId), "node");
      fact(facts, "Beacon", String(resultSet.beaconId), "beacon-id");
    } else {
      section.appendChild(element("h3", datasetTitle(String(resultSet.id))));
    }
    if (network && info.unanswered) {
      section.classList.add("unanswered");
      fact(facts, "Exists", "No answer", "exists");
      fact(facts, "Why", String(info.unanswered), "unanswered");
      section.appendChild(facts);
      return section;
    }
    fact(facts, "Exists", resultSet.exists ? "Yes" : "No", "exists");
    fact(facts, "Count", countText(resultSet), "count");
    if (network) fact(facts, "Answer level", granularity, "granularity");
    section.appendChild(facts);
    if (network && granularity !== "record" && resultSet.exists) {
      section.appendChild(element("p", "This node answered at " + granularity + " level for " +
        "your access: allele frequencies need record access.", "note"));
    }
    if (granularity === "record" && resultSet.exists) {
      const records = resultSet.results || [];
      if (records.length < resultSet.resultsCount) {
        section.appendChild(element("p", "Showing the first " + records.length + ".", "note"));
      }
      for (const record of records) appendFrequencies(section, record);
    }
    return section;
  }

  // How each node took part in a hub's answer (info.network.nodes): nodes that were skipped
  // (they serve no /g_variants, the hub itself, a hop limit) have no result set and show here.
  function showNodeAnswers(reports) {
    const head = nodeAnswers.createTHead().insertRow();
    for (const heading of ["Node", "Country", "Beacon", "Answer", "Why", "Time (ms)"]) {
      const cell = element("th", heading);
      cell.scope = "col";
      head.appendChild(cell);
    }
    const body = nodeAnswers.createTBody();
    for (const report of reports) {
      const row = body.insertRow();
      row.dataset.nodeId = String(report.nodeId);
      row.dataset.status = String(report.status);
      const name = element("th", String(report.nodeId));
      name.scope = "row";
      row.appendChild(name);
      row.appendChild(element("td", countryName(report.country) + " (" + report.country + ")"));
      row.appendChild(element("td", report.beaconId == null ? "" : String(report.beaconId)));
      row.appendChild(element("td", String(report.status), "status"));
      row.appendChild(element("td", report.reason == null ? "" : String(report.reason), "reason"));
      row.appendChild(element("td", report.milliseconds == null ? "" : String(report.milliseconds)));
    }
    nodeAnswers.hidden = reports.length === 0;
  }

  // A hub's result sets, grouped by country (in the order of the countries' names).
  function showNetworkSets(sets, granularity) {
    const byCountry = new Map();
    for (const resultSet of sets) {
      const code = String((resultSet.info && resultSet.info.country) || "");
      if (!byCountry.has(code)) byCountry.set(code, []);
      byCountry.get(code).push(resultSet);
    }
    const codes = Array.from(byCountry.keys());
    codes.sort((a, b) => countryName(a).localeCompare(countryName(b)));
    for (const code of codes) {
      const group = element("section", undefined, "country-answers");
      group.dataset.country = code;
      group.appendChild(element("h3", countryName(code) + (code ? " (" + code + ")" : "")));
      for (const resultSet of byCountry.get(code)) {
        group.appendChild(resultSetSection(resultSet, granularity));
      }
      resultSets.appendChild(group);
    }
  }

  function showAnswer(answer) {
    const granularity = (answer.meta && answer.meta.returnedGranularity) || "boolean";
    const summary = answer.responseSummary || {};
    const reports = (answer.info && answer.info.network && answer.info.network.nodes) || [];
    if (network) {
      const answered = reports.filter((report) => report.status === "answered").length;
      status.textContent = (summary.exists ? "Found" : "Not found") + " in the network: " +
        answered + " of " + reports.length + " nodes answered.";
    } else {
      status.textContent = summary.exists
        ? "Found in the datasets you may see."
        : "Not found in the datasets you may see.";
    }
    const warnings = (answer.info && answer.info.warnings) || [];
    for (const warning of warnings) warningList.appendChild(element("li", warning));
    warningList.hidden = warnings.length === 0;
    if (network) {
      showNodeAnswers(reports);
      if (granularity !== "record") {
        granularityNote.textContent = "Some nodes answered with less than records for your " +
          "access (each answer says its level): allele frequencies need record access.";
        granularityNote.hidden = false;
      }
      showNetworkSets((answer.response && answer.response.resultSets) || [], granularity);
      return;
    }
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
    // ALL: datasets without the variant show too and, on a hub, so do the empty sets of the
    // nodes that did not answer (info.unanswered says why)
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
