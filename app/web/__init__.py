"""The catalog page for browsers: the datasets by country and a variant search calling the
beacon's own API from the page (server-rendered HTML, one script, one style sheet, no CDN)."""
