"""The synthetic district: landing files that look like a real delivery, and what they imply.

Nothing here is needed to run Searchlight on real data (that is ``ingest/``); this package
writes data to run it on:

- ``synthetic.district.generate_district(out, scale, seed)`` — the demo district
  (``searchlight demo``, ``make demo``, the tests): about ``scale × 10,000`` cases of the
  first half of 2026 and every other source, with planted violations and near misses for
  every warning rule, and ``ground_truth.json``, the exact alerts an independent Python
  reading of contract/rules.md gives on it.
- ``synthetic.scale.generate_scale(out, scale, seed)`` — volume for ``bench/``: the same
  world and clean background, vectorised, no plants and no ground truth.

How it is put together (one job per module; each imports only modules listed above it):

    names.py          the reference data: departments, items, streets, name pools
    clock.py          the demo half-year and working-day arithmetic (ingest.calendar)
    pseudonyms.py     subject ids as the warehouse computes them
    identifiers.py    resident IDs, credit codes, phones, names (checksums: ingest.validate)
    world.py          the district: departments, items, windows, staff, applicant pools
    background.py     clean background cases, vectorised (no rule may fire on them)
    planter.py        the case planter: one hand-written case at a time
    writers.py        the bytes of each file format (CSV UTF-8/GBK, XLSX, JSONL)
    plugin.py         how a rule family plugs into the district (context, rows, check)
    case_exports.py   how the case platform exports: versions per monthly file, the
                      re-export, events as JSONL
    registry.py       the background enterprises, shareholders and staff relatives
    families/         one module per rule family: its planted cases and its oracle
    district.py       generate_district: ties them together, writes the ground truth
    scale.py          generate_scale: the volume generator

Same seed and scale give the same bytes.
"""
