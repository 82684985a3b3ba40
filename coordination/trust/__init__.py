"""Issuer keys and the trust list, and the PAdES signatures with an electronic seal that every
official document carries (shared/DESIGN.md §4.3, §4.3.1).

Each issuing organisation holds an ECDSA P-256 key pair whose X.509 certificate is signed by the
Regional Cooperation Office's root key; the public keys, their validity and revocations form the
trust list, itself signed by the root key, that any region checks offline.

- keys and the trust list: `services` (`active_key`, `key_rotate`, `key_revoke`,
  `ensure_demo_keys`), `trust_list` (`trust_list`, `signed_trust_list`, `verify_trust_list`);
- documents: `pdf.sign_pdf`, `verify.verify_pdf` (also importable from `pdf`); the seal:
  `seal.seal_svg`.
"""
