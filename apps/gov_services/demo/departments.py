"""Demo organisation: the service centre of a prefecture-level city and its member departments.

Unified social credit codes are made valid here (GB 32100 check character computed), region 321100.
"""

from gov_services.gov_services.identifiers import uscc_check_char


def _uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


REGION = "321100"

# key, name, short name, first 17 characters of the credit code, resident in the hall, phone, address
DEPARTMENTS = [
    (
        "centre",
        "镇江市政务服务管理办公室",
        "政务办",
        _uscc("11321100MB1A00017"),
        True,
        "0511-12345",
        "镇江市南徐大道88号",
    ),
    (
        "market",
        "镇江市市场监督管理局",
        "市场监管局",
        _uscc("11321100014103002"),
        True,
        "0511-84401234",
        "镇江市长江路1号",
    ),
    (
        "planning",
        "镇江市自然资源和规划局",
        "自然资源和规划局",
        _uscc("11321100014103115"),
        True,
        "0511-85501234",
        "镇江市解放路200号",
    ),
    (
        "hrss",
        "镇江市人力资源和社会保障局",
        "人社局",
        _uscc("11321100014103203"),
        True,
        "0511-85602345",
        "镇江市檀山路8号",
    ),
    ("health", "镇江市卫生健康委员会", "卫健委", _uscc("11321100014103318"), True, "0511-85703456", "镇江市正东路5号"),
    (
        "housing",
        "镇江市住房和城乡建设局",
        "住建局",
        _uscc("11321100014103406"),
        True,
        "0511-85804567",
        "镇江市中山西路12号",
    ),
    ("civil", "镇江市民政局", "民政局", _uscc("11321100014103510"), True, "0511-85905678", "镇江市健康路9号"),
    (
        "transport",
        "镇江市交通运输局",
        "交通运输局",
        _uscc("11321100014103625"),
        False,
        "0511-86006789",
        "镇江市学府路66号",
    ),
]

# code, name, issuer key, validity in years (None: long-term)
LICENCE_TYPES = [
    ("11100000000013338W", "食品经营许可证", "market", 5),
    ("11100000000013127D", "个体工商户营业执照", "market", None),
    ("11100000MB0316235K", "建设工程规划许可证", "planning", None),
    ("11100000MB0316147P", "建设用地规划许可证", "planning", None),
    ("11100000000014237C", "公共场所卫生许可证", "health", 4),
    ("11100000000014115X", "医疗机构执业许可证", "health", 5),
    ("11100000000013465L", "建筑工程施工许可证", "housing", None),
    ("11100000000013481Y", "商品房预售许可证", "housing", None),
    ("11100000000019302G", "道路运输经营许可证", "transport", 4),
    ("11100000000016718R", "社会团体法人登记证书", "civil", 5),
]
