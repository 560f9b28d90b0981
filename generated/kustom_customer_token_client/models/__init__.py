"""Contains all the data models used in inputs/outputs"""

from .address import Address
from .attachment import Attachment
from .authorized_payment_method import AuthorizedPaymentMethod
from .authorized_payment_method_type import AuthorizedPaymentMethodType
from .card_information import CardInformation
from .customer_token import CustomerToken
from .direct_debit_information import DirectDebitInformation
from .error_details import ErrorDetails
from .fraud_status import FraudStatus
from .known_error_code import KnownErrorCode
from .merchant_urls import MerchantUrls
from .new_token_status import NewTokenStatus
from .order_line import OrderLine
from .order_line_type import OrderLineType
from .order_request import OrderRequest
from .order_response import OrderResponse
from .product_identifiers import ProductIdentifiers
from .subscription import Subscription
from .subscription_interval import SubscriptionInterval
from .token_status import TokenStatus
from .token_status_update import TokenStatusUpdate

__all__ = (
    "Address",
    "Attachment",
    "AuthorizedPaymentMethod",
    "AuthorizedPaymentMethodType",
    "CardInformation",
    "CustomerToken",
    "DirectDebitInformation",
    "ErrorDetails",
    "FraudStatus",
    "KnownErrorCode",
    "MerchantUrls",
    "NewTokenStatus",
    "OrderLine",
    "OrderLineType",
    "OrderRequest",
    "OrderResponse",
    "ProductIdentifiers",
    "Subscription",
    "SubscriptionInterval",
    "TokenStatus",
    "TokenStatusUpdate",
)
