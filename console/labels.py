"""Names of the ledger's and the rules' codes, marked for the catalogs (shown through ``_``).

Wording is of risk, not accusation: an alert is a signal to check (预警, 风险线索), a
department handles it (办理), a supervisor confirms or dismisses it. Nothing here says a
person did wrong.
"""

from __future__ import annotations

from console.i18n import N_

STATUS = {
    "new": N_("new"),
    "assigned": N_("assigned"),
    "transferred": N_("transferred"),
    "feedback": N_("feedback received"),
    "closed": N_("closed (confirmed)"),
    "dismissed": N_("dismissed (false positive)"),
}

ACTION = {
    "register": N_("registered"),
    "assign": N_("assign"),
    "transfer": N_("transfer"),
    "feedback": N_("record feedback"),
    "close": N_("close as confirmed"),
    "dismiss": N_("dismiss as false positive"),
    "reopen": N_("reopen"),
    "rehash": N_("evidence fingerprint recomputed"),
}

# what the note field of each action asks for
NOTE_PROMPT = {
    "assign": N_("Note (optional)"),
    "transfer": N_("Why it goes to that department"),
    "feedback": N_("What the department did and found"),
    "close": N_("Resolution: what was confirmed and done"),
    "dismiss": N_("Why this is a false positive"),
    "reopen": N_("Why it is reopened"),
}

SEVERITY = {"red": N_("red"), "yellow": N_("yellow"), "info": N_("info")}

FAMILY = {
    "T": N_("Timeliness"),
    "F": N_("Fairness and intermediaries"),
    "S": N_("Service quality"),
    "P": N_("Public resource trading"),
    "L": N_("Livelihood funds"),
    "C": N_("Conduct"),
    "K": N_("Key projects"),
}

CARD = {"red": N_("red card"), "yellow": N_("yellow card")}

ROLE = {"supervisor": N_("supervisor"), "department": N_("department handler"),
        "auditor": N_("auditor")}

SUBJECT = {
    "case": N_("case"), "staff_item": N_("staff and item"), "staff_agent": N_("staff and agent"),
    "applicant_item": N_("applicant and item"), "phone_item": N_("phone and item"),
    "staff": N_("staff member"), "staff_reviewer": N_("staff and reviewer"),
    "review": N_("review"), "ticket": N_("hotline ticket"),
    "caller_dept": N_("caller and department"), "feedback": N_("QR feedback"),
    "tender": N_("tender"), "buyer_winner": N_("buyer and winner"), "payment": N_("payment"),
    "recipient_period": N_("recipient and period"), "account_period": N_("account and period"),
    "expense": N_("reception expense"), "milestone": N_("project milestone"),
}
