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


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

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

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


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
        )


class ApiToken(models.Model):
    """A token a partner's system uses to call the JSON API as one user. Only a hash is stored;
    the token itself is shown once, when it is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'Police RMS nightly sync'")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"
