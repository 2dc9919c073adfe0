"""Who acts when a member of the public does: no account, named in the audit trail and a
report's timeline by the way they came (the website, or an Open311 app by its key's name)."""

from saferplace.partners.viewer import AuditContext, Viewer

PUBLIC_WEB = "public web"
OPEN311 = "open311"


class PublicViewer(Viewer):
    """A resident: sees only what is public, holds no capability."""

    def __init__(self, *, context: AuditContext, label: str):
        super().__init__(context=context)
        self.label = label

    @property
    def name(self) -> str:
        return self.label

    @property
    def organisation_name(self) -> str:
        return ""


def resident_viewer(*, address: str = "", user_agent: str = "", client: str = "") -> PublicViewer:
    """A resident on the website, or through the Open311 client application named `client`."""
    if client:
        return PublicViewer(context=AuditContext(channel=OPEN311, address=address, user_agent=user_agent),
                            label=f"open311:{client}"[:150])
    return PublicViewer(context=AuditContext(channel=PUBLIC_WEB, address=address, user_agent=user_agent),
                        label="resident")
