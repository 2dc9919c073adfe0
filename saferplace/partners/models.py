"""Organisations, teams, users, data categories and information sharing agreements.

Who may see a record is decided in one place, `saferplace.partners.access`; these models only
hold the facts that policy reads."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class OrganisationKind(models.TextChoices):
    POLICE = "police", "Police"
    COUNCIL = "council", "Council"
    FIRE = "fire", "Fire and rescue"
    HEALTH = "health", "Health"
    PROBATION = "probation", "Probation"
    PRISON = "prison", "Prison"
    HOUSING = "housing", "Housing provider"
    VOLUNTARY = "voluntary", "Voluntary sector"
    OTHER = "other", "Other"


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    known_to_partnership = True  # `access.require` refuses a change to it as not allowed, not as not found

    def owner_ids(self) -> set[int]:
        return {self.pk}


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    lead = models.ForeignKey("partners.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             help_text="Told when the team's tasks are not accepted in time")

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    ANALYST = "analyst", "Analyst"
    CHAIR = "chair", "Chair"
    PRACTITIONER = "practitioner", "Practitioner"
    VOLUNTEER = "volunteer", "Volunteer"
    AUDITOR = "auditor", "Auditor"

    @property
    def with_article(self) -> str:
        """The role as a sentence says it: "an analyst", "a chair"."""
        name = str(self.label).lower()
        return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


class User(AbstractUser):
    """A person who signs in. Each belongs to one organisation and has one role there."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, related_name="members", null=True, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    job_title = models.CharField(max_length=200, blank=True)
    is_demo_persona = models.BooleanField(
        default=False, help_text="A synthetic user created by `saferplace demo`."
    )
    must_change_password = models.BooleanField(
        default=False, help_text="Set for a first password someone else made: changed at the next sign-in."
    )
    first_password_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A first password made by someone else stops working then"
    )

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def owner_ids(self) -> set[int]:
        return {self.organisation_id} if self.organisation_id else set()


class CapabilityScope(models.TextChoices):
    READ = "read", "Records the sharing agreements open to the person"
    OWN = "own", "Records of the person's own organisation"
    PARTNERSHIP = "partnership", "The partnership as a whole"


class Capability(models.Model):
    """Something a role lets a person do, such as `incidents.export` or `users.manage`. Which
    roles hold which capabilities is data (`RoleCapability`), read by `access.can`."""

    code = models.CharField(max_length=60, primary_key=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scope = models.CharField(max_length=20, choices=CapabilityScope.choices)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "capabilities"

    def __str__(self) -> str:
        return self.code


class RoleCapability(models.Model):
    role = models.CharField(max_length=20, choices=Role.choices)
    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="roles")

    class Meta:
        ordering = ["role", "capability"]
        constraints = [models.UniqueConstraint(fields=["role", "capability"], name="role_capability_unique")]

    def __str__(self) -> str:
        return f"{self.role}: {self.capability_id}"


class RoleRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a second administrator"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class RoleRequest(models.Model):
    """Each role a person is given, as a request. A role that opens a special category
    (safeguarding, domestic abuse, health…) waits for a second administrator of the same
    organisation to approve it; any other role is approved as it is given. The latest request
    is the person's history of roles."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_requests")
    role = models.CharField(max_length=20, choices=Role.choices)
    status = models.CharField(max_length=20, choices=RoleRequestStatus.choices, default=RoleRequestStatus.PENDING)
    requested_by = models.CharField(max_length=150, blank=True, help_text="Who asked, as the audit trail names them")
    requested_by_user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} ({self.status})"


class DataCategory(models.Model):
    """A kind of information a record belongs to (ASB, crime, safeguarding…). Special
    categories are only visible to users whose role is listed in `special_roles`."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    is_special = models.BooleanField(
        default=False,
        help_text="Special category (e.g. safeguarding, health): needs a role that allows it.",
    )
    special_roles = models.JSONField(
        default=list, blank=True, help_text="Roles allowed to see records of a special category."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "data categories"

    def __str__(self) -> str:
        return self.name


class LawfulBasis(models.TextChoices):
    PUBLIC_TASK = "public_task", "UK GDPR Article 6(1)(e): public task"
    LEGAL_OBLIGATION = "legal_obligation", "UK GDPR Article 6(1)(c): legal obligation"
    LAW_ENFORCEMENT = "law_enforcement", "Data Protection Act 2018 Part 3: law enforcement"
    CRIME_AND_DISORDER = "crime_and_disorder", "Crime and Disorder Act 1998 section 115"
    LEGITIMATE_INTERESTS = "legitimate_interests", "UK GDPR Article 6(1)(f): legitimate interests"
    CONSENT = "consent", "UK GDPR Article 6(1)(a): consent"


class SpecialCategoryCondition(models.TextChoices):
    """The UK GDPR Article 9(2) condition, with its DPA 2018 Schedule 1 condition where one is
    needed, under which special category data is shared."""

    NONE = "", "No special category data"
    EMPLOYMENT = "art9-2b", "Art. 9(2)(b) employment, social security and social protection (Sch. 1 para. 1)"
    VITAL_INTERESTS = "art9-2c", "Art. 9(2)(c) vital interests"
    HEALTH_SOCIAL_CARE = "art9-2h", "Art. 9(2)(h) health or social care (Sch. 1 para. 2)"
    STATUTORY = "art9-2g-sch1-6", "Art. 9(2)(g) substantial public interest: statutory and government purposes (Sch. 1 para. 6)"
    PREVENTING_CRIME = "art9-2g-sch1-10", "Art. 9(2)(g) substantial public interest: preventing or detecting unlawful acts (Sch. 1 para. 10)"
    SAFEGUARDING = "art9-2g-sch1-18", "Art. 9(2)(g) substantial public interest: safeguarding of children and individuals at risk (Sch. 1 para. 18)"
    LEGAL_CLAIMS = "art9-2f", "Art. 9(2)(f) legal claims or judicial acts"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"


class SharingAgreement(models.Model):
    """An information sharing agreement: its parties may see each other's records of the
    covered data categories, for its purpose, while it is active and in date."""

    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=50, unique=True)
    purpose = models.TextField()
    lawful_basis = models.CharField(max_length=40, choices=LawfulBasis.choices)
    parties = models.ManyToManyField(Organisation, related_name="agreements")
    data_categories = models.ManyToManyField(DataCategory, related_name="agreements")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT)
    review_date = models.DateField(null=True, blank=True, help_text="When the parties review it next")
    dpia_reference = models.CharField(max_length=100, blank=True, help_text="The data protection impact assessment")
    document_url = models.URLField(max_length=500, blank=True, help_text="Where the signed agreement is kept")
    special_category_condition = models.CharField(
        max_length=20, choices=SpecialCategoryCondition.choices, blank=True,
        help_text="For special category data: the Article 9 / Schedule 1 condition",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="agreement_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def is_in_force(self, on=None) -> bool:
        day = on or timezone.localdate()
        return (
            self.status == AgreementStatus.ACTIVE
            and self.start_date <= day
            and (self.end_date is None or day <= self.end_date)
            and self.is_signed_by_every_party()
        )

    def is_signed_by_every_party(self) -> bool:
        signed = {signature.organisation_id for signature in self.signatures.all()}
        return all(party.pk in signed for party in self.parties.all())

    known_to_partnership = True

    def owner_ids(self) -> set[int]:
        """The organisations whose agreement this is (for `access.can`): its parties."""
        return {party.pk for party in self.parties.all()}


class AgreementSignature(models.Model):
    """One party's sign-off of an agreement as it now stands. An agreement grants nothing until
    every party has signed; a change that widens it (a party, a category, a longer period,
    activation) removes the other parties' signatures, so each signs again."""

    agreement = models.ForeignKey(SharingAgreement, on_delete=models.CASCADE, related_name="signatures")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    signed_by = models.CharField(max_length=150, help_text="Who signed, as the audit trail names them")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation"], name="agreement_signature_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} signed {self.agreement.reference}"


class ApiToken(models.Model):
    """A token a partner's system uses to call the JSON API as one user, for a limited time and
    only for its scopes (capabilities, of those the user's role holds). Only a hash is stored;
    the token itself is shown once, when it is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'Police RMS nightly sync'")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list, help_text="The capabilities the token may use")
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    def owner_ids(self) -> set[int]:
        return {self.user.organisation_id} if self.user.organisation_id else set()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class UserSession(models.Model):
    """A signed-in session, so that a person can see where they are signed in and end a
    session, and administrators can end every session of someone who leaves."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    ip_address = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_because = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} from {self.ip_address or 'unknown'}"


from saferplace.partners.events import (  # noqa: E402,F401 - the app's event tables, declared in events.py
    AgreementEvent,
    DataCategoryEvent,
    OrganisationEvent,
    UserEvent,
)
