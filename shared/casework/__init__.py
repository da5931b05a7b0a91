"""Registry cases (业务) shared by the preregistration, transfer and mortgage services."""
