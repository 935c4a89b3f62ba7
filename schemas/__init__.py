"""Every request and response shape of the API, as marshmallow schemas.

Field names from the specifications are spelled once, here, through ``data_key``; Python code
uses snake_case attributes.
"""
