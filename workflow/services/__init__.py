"""The application layer: what a user can do with Homeward, each use noting the trail.

Both front ends, the JSON API (`workflow.api`) and the pages (`workflow.web`), call these
functions and nothing of each other. Each finds what it works on with need-to-know, applies the
domain's operations (`workflow.operations`, `workflow.evidence`, `forms.operations`), tells the
trail what it touched, and returns domain objects or plain values; none of them knows of HTTP,
and none commits: the unit of work (`workflow.transactions`) does, once, at the end."""
