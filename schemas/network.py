"""Shapes the hub adds to the Beacon v2 envelopes: result sets that say which node answered and
how exact their counts are, the per-node report in the answer's ``info``, and the GA4GH Service
Registry listing of the nodes. Everything extra sits where the official schemas allow additional
properties (result sets, ``info``)."""

from __future__ import annotations

from marshmallow import Schema, fields

from schemas.responses import (
    CountBandSchema,
    ResponseMetaSchema,
    ServiceInfoSchema,
    SummarySchema,
)

COUNT_PRECISIONS = ("exact", "band", "lowerBound")


class NetworkResultSetInfoSchema(Schema):
    node_id = fields.String(data_key="nodeId")
    country = fields.String()
    returned_granularity = fields.String(data_key="returnedGranularity")
    # exact: resultsCount is the count; band: the count is within countBand (the node hid a
    # small count); lowerBound: at least resultsCount (a boolean "yes" is at least one)
    count_precision = fields.String(data_key="countPrecision")
    count_band = fields.Nested(CountBandSchema, data_key="countBand")
    unanswered = fields.String()  # why this node's set is empty: timeout, HTTP 500, ...
    # the node of this hub's registry (another hub) the set was relayed by; absent: its own
    relayed_by = fields.String(data_key="relayedBy")


class NetworkResultSetSchema(Schema):
    id = fields.String()
    set_type = fields.String(data_key="setType")
    beacon_id = fields.String(data_key="beaconId")
    exists = fields.Boolean()
    results_count = fields.Integer(data_key="resultsCount")
    results = fields.List(fields.Dict())
    info = fields.Nested(NetworkResultSetInfoSchema)


class NodeReportSchema(Schema):
    """How one node took part in an answer."""

    node_id = fields.String(data_key="nodeId")
    beacon_id = fields.String(data_key="beaconId", allow_none=True)
    country = fields.String()
    status = fields.String()  # answered, failed, skipped
    reason = fields.String(allow_none=True)
    milliseconds = fields.Float(allow_none=True)


class NetworkAnswerInfoSchema(Schema):
    nodes = fields.List(fields.Nested(NodeReportSchema))
    # true when numTotalResults is only what is certain: some count was banded (counted at the
    # band's low end), a yes came without a count (1), or a node did not answer
    num_total_results_is_lower_bound = fields.Boolean(data_key="numTotalResultsIsLowerBound")
    hops = fields.Integer()


class NetworkResponseInfoSchema(Schema):
    warnings = fields.List(fields.String())
    network = fields.Nested(NetworkAnswerInfoSchema)


class NetworkResultSetsSchema(Schema):
    result_sets = fields.List(fields.Nested(NetworkResultSetSchema), data_key="resultSets")


class NetworkResultsetsResponseSchema(Schema):
    """beaconResultsetsResponse merged from the nodes' answers."""

    meta = fields.Nested(ResponseMetaSchema, required=True)
    response_summary = fields.Nested(SummarySchema, data_key="responseSummary", required=True)
    info = fields.Nested(NetworkResponseInfoSchema)
    response = fields.Nested(NetworkResultSetsSchema)


class RegisteredServiceSchema(ServiceInfoSchema):
    """A GA4GH Service Registry entry: the node's service-info, plus where it is, and (our
    additions) its registry id and country."""

    url = fields.String()
    node_id = fields.String(data_key="nodeId")
    country = fields.String()
