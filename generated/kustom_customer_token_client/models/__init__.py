"""Contains all the data models used in inputs/outputs"""

from .address import Address
from .attachment import Attachment
from .authorized_payment_method import AuthorizedPaymentMethod
from .authorized_payment_method_type import AuthorizedPaymentMethodType
from .error import Error
from .fraud_status import FraudStatus
from .merchant_urls import MerchantUrls
from .order_line import OrderLine
from .order_line_type import OrderLineType
from .order_request import OrderRequest
from .order_response import OrderResponse
from .product_identifiers import ProductIdentifiers
from .subscription import Subscription
from .subscription_interval import SubscriptionInterval

__all__ = (
    "Address",
    "Attachment",
    "AuthorizedPaymentMethod",
    "AuthorizedPaymentMethodType",
    "Error",
    "FraudStatus",
    "MerchantUrls",
    "OrderLine",
    "OrderLineType",
    "OrderRequest",
    "OrderResponse",
    "ProductIdentifiers",
    "Subscription",
    "SubscriptionInterval",
)
