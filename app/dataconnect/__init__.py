"""GA4GH Data Connect: tables over the beacon's collections, searched with SQL."""
