"""The Beacon v2 API surfaces: informational endpoints and entry-type queries."""
