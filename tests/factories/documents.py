"""A sample document, for the PDF helper's tests and its benchmark."""

import datetime


def sample_receipt_context(verify_url="https://example.org/verify/JZ-2026-000123"):
    """Fixed example data for "tests/pdf/sample_receipt.html" (the PDF tests and bench/pdf.py)."""
    return {
        "subdistrict_name": "卢沟桥街道办事处",
        "document_title": "捐赠物资接收凭证",
        "document_number": "JZ-2026-000123",
        "donor": {
            "name": "北京公共交通控股(集团)有限公司",
            "credit_code": "911100001011147147",
            "contact": "王建国",
            "phone": "010-6396 0088",
        },
        "received_on": datetime.date(2026, 2, 3),
        "warehouse": "卢沟桥街道应急物资仓库（丰台区卢沟桥南里12号）",
        "lines": [
            {
                "item": "口罩",
                "spec": "医用外科口罩，独立包装",
                "quantity": "20,000",
                "unit": "只",
                "note": "有效期至2028年1月",
            },
            {
                "item": "84消毒液",
                "spec": "500毫升/瓶",
                "quantity": "1,200",
                "unit": "瓶",
                "note": "含氯消毒剂，避光存放",
            },
            {
                "item": "医用防护服",
                "spec": "连体式，L号",
                "quantity": "300",
                "unit": "套",
                "note": "",
            },
            {
                "item": "一次性乳胶手套",
                "spec": "M号，100只/盒",
                "quantity": "50",
                "unit": "盒",
                "note": "①优先发放卡口值守人员",
            },
            {
                "item": "红外额温枪",
                "spec": "测温范围32℃～42.9℃",
                "quantity": "40",
                "unit": "把",
                "note": "含电池",
            },
        ],
        "thanks": (
            "衷心感谢贵单位在疫情防控期间对卢沟桥街道各社区的大力支持！上述物资已全部清点入库，"
            "将按照街道疫情防控指挥部的统一安排，及时分配到各社区卡口、楼门值守点和居家隔离家庭。"
        ),
        "received_by": "李秀英（仓库管理员）",
        "verify_url": verify_url,
    }
