"""Imports every domain's tables so that Alembic and tests see the whole schema."""

from opencoc.agents import models as _agents  # noqa: F401
from opencoc.alarms import models as _alarms  # noqa: F401
from opencoc.approvals import models as _approvals  # noqa: F401
from opencoc.attachments import models as _attachments  # noqa: F401
from opencoc.auth import models as _auth  # noqa: F401
from opencoc.core.models import Base
from opencoc.incidents import models as _incidents  # noqa: F401
from opencoc.jobs import models as _jobs  # noqa: F401
from opencoc.notifications import models as _notifications  # noqa: F401
from opencoc.oncall import models as _oncall  # noqa: F401
from opencoc.resources import models as _resources  # noqa: F401
from opencoc.scripts import models as _scripts  # noqa: F401
from opencoc.warrooms import models as _warrooms  # noqa: F401

metadata = Base.metadata
