"""Charts of a count, rendered to SVG (and PNG) on the server, from a ``Result`` or from
the RCTab-style report JSON (``hustings count --output json``): never a recount.

* ``data``: the figures the charts draw (``ChartData``: rounds, per view: the weighted
  college and each section), read from a ``Result`` (``from_result``) or a report JSON
  (``from_report``);
* ``bars``: per round and view, a bar chart with the threshold line, exhausted ballots and
  turnout (Vega-Lite through altair, rendered by vl-convert: no browser);
* ``sankey``: the transfers between rounds as a flow diagram, per section and weighted
  (laid out here, since no maintained library lays out a Sankey to static SVG without a
  browser; drawn with drawsvg);
* ``render``: every chart of a count as files (SVG, PNG through vl-convert's resvg).

Each SVG has ``role="img"``, a ``<title>`` and a ``<desc>``; each chart has a ``*_table``
function returning the same figures as rows, for a table beside it (screen readers).

Errors: ``ChartError`` (a report JSON that is not one of ours, a view that is not there).
"""


class ChartError(Exception):
    """A chart cannot be drawn from this input."""


__all__ = ["ChartError"]
