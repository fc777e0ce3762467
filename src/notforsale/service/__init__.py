"""The REST service and the moderators' console (FastAPI, served by uvicorn)."""
