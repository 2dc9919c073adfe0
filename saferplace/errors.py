"""The project's own errors. Domain code (services, selectors, importers) raises these and never
imports `django.http`; the interfaces map them: the web to the 404 and 403 pages, the API to
404 and 403 answers, the command line to a message and a non-zero exit."""


class NotFound(Exception):  # noqa: N818 - reads as what the caller is told
    """There is no such record, or the viewer may not know that there is: the two are never
    told apart, so a refusal does not reveal that a record exists."""

    def __init__(self, message: str = "No such record is available to you.", *, record_type: str = "",
                 record_id: str | int = ""):
        super().__init__(message)
        self.record_type = record_type
        self.record_id = str(record_id)


class NotAllowed(Exception):  # noqa: N818
    """The viewer may not do this: their role lacks the capability, or the record belongs to
    another organisation."""

    def __init__(self, message: str = "You are not allowed to do this.", *, capability: str = "",
                 record_type: str = "", record_id: str | int = ""):
        super().__init__(message)
        self.capability = capability
        self.record_type = record_type
        self.record_id = str(record_id)
