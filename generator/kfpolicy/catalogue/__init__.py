"""The rule catalogue: load, validate, and expose it as frozen typed objects."""

from kfpolicy.catalogue.loader import default_catalogue_dir, load_catalogue
from kfpolicy.catalogue.model import Catalogue, Example, Kind, Profile, Rule

__all__ = ["Catalogue", "Example", "Kind", "Profile", "Rule", "default_catalogue_dir", "load_catalogue"]
