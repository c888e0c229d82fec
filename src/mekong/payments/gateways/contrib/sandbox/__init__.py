"""A local gateway that speaks VNPAY's protocol, so the whole payment flow runs offline (development, the
demo, the tests): `plugin` is the merchant side, `views` the gateway's own pages."""
