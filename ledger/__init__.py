"""The supervision ledger (督办台账): alert → register → assign/transfer → feedback →
close, with an append-only, hash-chained history in a store dbt never rebuilds.
See ledger/README.md."""
