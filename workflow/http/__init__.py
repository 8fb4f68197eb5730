"""What the API and the pages share as HTTP: the request boundary, the rendering of errors,
the trail's record of each request, and response headers. Both front ends import this; it
imports neither."""
