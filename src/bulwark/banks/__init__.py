"""Named collections of known signals with provenance, labels and enable/disable."""

from bulwark.banks.model import Bank, BankEntry, NewEntry
from bulwark.banks.store import BankStore

__all__ = ["Bank", "BankEntry", "BankStore", "NewEntry"]
