"""Pure translation of Beacon requests into MongoDB filters: no Flask, no database."""
