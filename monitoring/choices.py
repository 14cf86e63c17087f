"""Choices for monitoring fields: compare with the constants, never bare strings."""

from django.db import models


class SnmpVersion(models.TextChoices):
    V1 = "v1", "SNMPv1"
    V2C = "v2c", "SNMPv2c"
    V3 = "v3", "SNMPv3"


class SecurityLevel(models.TextChoices):
    NO_AUTH_NO_PRIV = "noAuthNoPriv", "noAuthNoPriv"
    AUTH_NO_PRIV = "authNoPriv", "authNoPriv"
    AUTH_PRIV = "authPriv", "authPriv"


class AuthProtocol(models.TextChoices):
    MD5 = "MD5", "MD5"
    SHA = "SHA", "SHA-1"
    SHA224 = "SHA-224", "SHA-224"
    SHA256 = "SHA-256", "SHA-256"
    SHA384 = "SHA-384", "SHA-384"
    SHA512 = "SHA-512", "SHA-512"


class PrivProtocol(models.TextChoices):
    DES = "DES", "DES"
    AES128 = "AES-128", "AES-128"
    AES192 = "AES-192", "AES-192"
    AES256 = "AES-256", "AES-256"


class DeviceType(models.TextChoices):
    ROUTER = "router", "Router"
    SWITCH = "switch", "Switch"
    SERVER = "server", "Server"
    FIREWALL = "firewall", "Firewall"
    PRINTER = "printer", "Printer"
    ACCESS_POINT = "access_point", "Access point"
    UNKNOWN = "unknown", "Unknown"


class DeviceStatus(models.TextChoices):
    UP = "up", "Up"
    DOWN = "down", "Down"
    UNREACHABLE = "unreachable", "Unreachable"
    UNKNOWN = "unknown", "Unknown"


class Source(models.TextChoices):
    WARDFLUX = "wardflux", "WARD FLUX"
    ZABBIX = "zabbix", "Zabbix"


class ValueType(models.TextChoices):
    GAUGE = "gauge", "Gauge"
    COUNTER = "counter", "Counter (rate per second)"
    STRING = "string", "String"
    TABLE_COLUMN = "table_column", "Table column"


class ProfileMode(models.TextChoices):
    ZABBIX = "zabbix", "Zabbix (mirror only)"
    STANDALONE = "standalone", "Standalone"
    HYBRID = "hybrid", "Hybrid"
