"""The bundled demo: synthetic GRCh38 data in ``data/``, its generator and its loader."""
