"""Live data: the 고용24 and KEAD Open APIs synced into the store (`python -m core sync worknet|kead`)."""
from .apis import Api, ApiError, ApiRefused, api_for
from .run import SyncReport, close_expired, sync

__all__ = ["Api", "ApiError", "ApiRefused", "SyncReport", "api_for", "close_expired", "sync"]
