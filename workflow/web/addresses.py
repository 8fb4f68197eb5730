"""The ids and names a page's address carries (`<id:case_id>`, `<name:kind>`), bounded before a
view sees them.

Any path segment matches, as with Flask's default converter: an over-long id still reaches its
view and gets the page an id that names nothing gets (a missing case), never the router's own
page for an unknown address. The view is handed the segment cut to the longest an id or a name
can be, so no view cuts one by hand."""

from __future__ import annotations

from werkzeug.routing import BaseConverter

ID_LENGTH = 64  # an id or a reference; the API refuses a longer one in its paths
NAME_LENGTH = 40  # a track, an action, a kind of document or form


class IdInAddress(BaseConverter):
    """A case's or a document's id or reference."""

    length = ID_LENGTH

    def to_python(self, value: str) -> str:
        return value[: self.length]


class NameInAddress(IdInAddress):
    """The name of something the definitions list, such as a kind of form."""

    length = NAME_LENGTH


CONVERTERS = {"id": IdInAddress, "name": NameInAddress}
