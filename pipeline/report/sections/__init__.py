"""The report's sections: `<name>.py` here builds the part of the view model that
`templates/sections/<name>.html.j2` lays out, in a ``<section id="<name with dashes>">``.

Each module has `SECTION_ID` and a `build(data)` (the headline also takes the alerts and
the state of the data); `pipeline.report.render.SECTIONS` puts them in page order.
"""
