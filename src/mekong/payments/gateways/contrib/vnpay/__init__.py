"""VNPAY's payment-URL protocol (version 2.1.0, HMAC-SHA512): `protocol` signs and reads the parameters,
`codes` says what the gateway's codes mean, `plugin` is the gateway as the registry offers it."""
