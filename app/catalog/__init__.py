"""The data catalog: datasets across countries, their consent codes and governing laws."""
