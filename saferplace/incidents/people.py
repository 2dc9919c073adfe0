"""Who an incident happened to, by pseudonym only (`pseudonyms.py`): one row per incident and
person for the files whose mapping profile names a person column. Kept beside the incident
table, not in it, as most incidents name nobody and that table is kept narrow."""

from django.db import models


class IncidentPerson(models.Model):
    # DO_NOTHING: deleted with their incidents in one statement (`store.incidents_delete`).
    incident = models.ForeignKey("incidents.Incident", on_delete=models.DO_NOTHING, related_name="people")
    person = models.CharField(max_length=32, help_text="The keyed hash of the partner's reference (pseudonyms.py)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "person"], name="incidentperson_unique")]
        indexes = [models.Index(fields=["person"])]

    def __str__(self) -> str:
        return f"{self.person[:8]} in incident {self.incident_id}"
