"""The meaning of every refusal reason, in Chinese and English, for deedctl's messages (the
same reasons as docs/errors.md; a test keeps the two in step)."""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "REQUEST_ID_REUSED": (
        "该请求编号已用于内容不同的请求",
        "the request_id was used before by this caller for this method with a different payload",
    ),
    "AUTO_REGISTER_NEEDS_SERVICE": (
        "仅平台自身办理的申请可免人工审核直接登簿，请不带 auto_register 提交由登记人员审核",
        "only the platform's own filings skip a clerk's review; lodge without auto_register",
    ),
    "RULING_NEEDS_CLERK": (
        "依法院裁判的注销须由登记机构工作人员录入",
        "a court ruling is entered by a registry clerk, not invoked by a party",
    ),
    "DEVELOPER_MISMATCH": (
        "开发企业只能办理本企业销售的房屋",
        "a developer files purchases and lodges registrations only as the seller itself",
    ),
    "BANK_MISMATCH": (
        "银行只能办理本行贷款的抵押",
        "a bank lodges mortgages and pre-mortgages only for its own loans",
    ),
    "SERVICE_CALL_NOT_ALLOWED": (
        "本系统服务调用了其职责以外的接口",
        "one of our services called an RPC its work does not need",
    ),
    "LOG_TAMPERED": (
        "登记簿数据与已签名的检查点不一致，疑被篡改",
        "the book's rows no longer hash to a checkpoint the registry signed",
    ),
    "PURCHASE_BUSY": (
        "购房业务正在办理某一步骤，请稍后再撤销",
        "a step of the purchase is running; retry the cancellation in a moment",
    ),
    "TRANSACTION_CONFLICT": (
        "办理时与另一项同时进行的变更冲突，已撤销未生效，请用同一请求编号重试",
        "the change met a concurrent one and was undone, nothing committed; retry with the same request id",
    ),
    "OPERATION_IN_PROGRESS": (
        "该请求正在办理中（可能是先前的一次请求），请用同一请求编号重试以取得结果",
        (
            "the request is being processed under this request id (perhaps by an earlier attempt); "
            "retry with the same request id for its answer"
        ),
    ),
    "OPERATION_INCOMPLETE": (
        "请求已生效（如已登簿），但后续步骤暂未完成；系统将自动重试，用同一请求编号重试可取得最终结果",
        (
            "the request took effect (e.g. the case is entered in the book) but a later step could not "
            "be taken yet; it is retried by itself, and a retry with the same request id returns the "
            "answer once it is done"
        ),
    ),
    "OPERATION_PARKED": (
        "本机构办理该请求时多次出现无法解释的错误而暂停，待服务重启后再试；最后一次错误见消息",
        (
            "the office's work on this request stopped after repeated unexplained failures; its last "
            "error is in the message; it is tried again when the office restarts"
        ),
    ),
    "OPERATION_MISSING": (
        "请求编号已占用但找不到对应的办理记录：本机构记录不一致，需人工处理",
        (
            "the request id is claimed but the work it names is not recorded: the office's records "
            "disagree and need a person"
        ),
    ),
    "CASE_BEING_REGISTERED": (
        "案件正在登簿，期间不能撤回、不予登记或再次登簿",
        (
            "the case is being entered in the bo"
            "ok (登簿) right now; it cannot be wit"
            "hdrawn, refused or entered a second"
            " time meanwhile"
        ),
    ),
    "NO_CANCELLATION": (
        "该购房业务没有可撤回的撤销申请",
        "the purchase has no cancellation to withdraw",
    ),
    "CANCELLATION_TOO_FAR": (
        "撤销已注销网签备案，房屋已重新上市，不能恢复办理；请重新申请",
        (
            "the cancellation already cancelled the contract filing and the unit is on sale again: the "
            "purchase cannot go forward; file anew"
        ),
    ),
    "ROLE_NOT_ALLOWED": (
        "调用者的角色无权调用该接口",
        "the caller's role (from its certificate) may not call this RPC",
    ),
    "UNIT_FACTS_DIFFER": (
        "该房屋已以不同的自然状况记载于登记簿",
        "the unit is already in the book with other physical facts",
    ),
    "ALREADY_FIRST_REGISTERED": (
        "该楼栋已办理首次登记",
        "the building's first registration is already entered",
    ),
    "UNIT_NOT_ON_PRESALE": (
        "该房屋不在预售许可范围内或未在售",
        "the unit is not covered by a presale permit, or not on sale",
    ),
    "UNIT_ALREADY_CONTRACTED": (
        "该房屋已有有效的商品房买卖合同（一房一卖）",
        "a live contract already exists for the unit (one flat, one buyer)",
    ),
    "UNIT_SEIZED": (
        "该房屋已被查封或预查封",
        "a seizure (查封) or pre-seizure (预查封) is in effect on the unit",
    ),
    "OBJECTION_PENDING": (
        "该房屋有未失效的异议登记",
        "an objection (异议) is registered and has not lapsed",
    ),
    "AREA_DIFFERENCE_BEYOND_TOLERANCE": (
        "实测面积与合同约定面积误差超过3%，买受人可以退房",
        "the as-built area differs from the contract's by more than 3 %: the buyers may rescind",
    ),
    "SITE_NOT_INSPECTED": (
        "登记机构尚未对该建筑物实地查看，暂不能办理首次登记",
        "the registry has not inspected the building on site; first registration waits for it",
    ),
    "SITE_INSPECTION_FAILED": (
        "实地查看发现建筑物与竣工验收及实测成果不符",
        "the latest site inspection found the building not as described",
    ),
    "UNIT_RENUMBERED": (
        "该预售房屋实测后已变更单元号，其登记事项已转至实测单元",
        "the presale unit was renumbered by the as-built survey; its entries moved to the as-built unit",
    ),
    "OBJECTION_REPEATED": (
        "异议登记失效后，同一申请人就同一事项再次申请不予受理",
        "the same objector's objection on the same matter lapsed; it is not accepted again",
    ),
    "PRE_REGISTRATION_HELD_BY_OTHER": (
        "该房屋有保护他人的预告登记",
        "a pre-registration in force protects someone else",
    ),
    "PRE_REGISTRATION_LAPSED": (
        "预告登记已失效（首次登记后90日内未申请转移登记）",
        "the buyer's pre-registration lapsed (no transfer applied for within 90 days of first registration)",
    ),
    "PRE_REGISTRATION_MISSING": (
        "预抵押需要购房人的预告登记有效",
        "a pre-mortgage needs the buyer's pre-registration in force",
    ),
    "PRE_REGISTRATION_IN_FORCE": (
        "预告登记有效期间不能重新销售",
        "the unit cannot reopen for sale while a pre-registration is in force",
    ),
    "ENTRY_TOO_LARGE": (
        "登簿内容超过登记簿允许的大小",
        "the entry is larger than the book accepts",
    ),
    "EVENT_CURSOR_EXPIRED": (
        "该位置之后的事件已超过保存期限，请重新查询后从新位置订阅",
        "the events after this cursor are past their retention; re-read and follow from a new cursor",
    ),
    "TOO_MANY_WATCHES": (
        "同时跟踪的办件过多，请先结束部分跟踪",
        "this caller already watches as many purchases as it may; end one first",
    ),
    "TERMS_ALREADY_USED": (
        "同一份已签署的合同条款已使用过，须重新编号并重新签署",
        "these signed terms were used before; a new contract needs its own reference and signatures",
    ),
    "TRANSFEREES_NOT_HOLDERS": (
        "转移登记的买受人与预告登记权利人不一致",
        "the buyers named are not the holders of the pre-registration",
    ),
    "PRE_REGISTRATION_NOT_IN_FORCE": (
        "预告登记已注销、转移或失效",
        "the pre-registration was cancelled, converted or lapsed",
    ),
    "PREMORTGAGE_IN_FORCE": (
        "注销预告登记前须先注销预抵押（经银行同意）",
        "release the pre-mortgage (with the bank's consent) before cancelling the pre-registration",
    ),
    "PREMORTGAGE_NOT_IN_FORCE": (
        "预抵押已注销、已转为抵押或未登簿",
        "the pre-mortgage was released, converted or never entered",
    ),
    "MORTGAGEE_CONSENT_MISSING": (
        "注销预抵押需抵押权人银行签名同意或法院裁判",
        "releasing a pre-mortgage needs the mortgagee bank's signed consent or a court ruling",
    ),
    "DEED_TAX_UNPAID": (
        "该合同未取得契税完税凭证",
        "no deed-tax clearance (完税凭证) for the contract",
    ),
    "DEED_TAX_REFUNDED": (
        "契税已退还，完税凭证作废",
        "the deed tax was refunded; the clearance is void",
    ),
    "CO_OWNERSHIP_NOT_AS_CONTRACTED": (
        "共有方式或份额与备案合同不一致",
        "the co-ownership form or shares differ from the filed contract's",
    ),
    "BUYER_APPLICATION_UNSIGNED": (
        "买受人单方申请预告登记须由全体买受人签名",
        "the buyers' own application for the 预告 needs every buyer's signature",
    ),
    "REQUISITION_ALREADY_MADE": (
        "补正已一次性告知，不得再次要求补正",
        "every correction is asked for at once; the case was already requisitioned",
    ),
    "CASE_LAPSED": (
        "补正逾期未答复，申请已失效",
        "the requisition went unanswered and the application lapsed",
    ),
    "ASSESSMENT_CLOSED": (
        "该契税核定已退税、作废或已用于转移登记，不再重新核定",
        "a refunded, voided or used assessment is not reassessed",
    ),
    "TAX_FIGURES_NOT_AS_SIGNED": (
        "计税价格或家庭住房套数与买受人签署的合同不一致",
        "the price or the buyers' home counts differ from the terms they signed",
    ),
    "CONTRACT_NOT_CANCELLED": (
        "合同未解除，不予退还契税",
        "deed tax is refunded only for a contract that failed before registration",
    ),
    "CLEARANCE_USED_BY_TRANSFER": (
        "完税凭证已用于转移登记，不能退税",
        "a registered transfer relied on the clearance; it cannot be refunded",
    ),
    "CONTRACT_ALREADY_ASSESSED": (
        "该合同已有计税数据不同的有效核定",
        "the contract has a live assessment with other figures",
    ),
    "PAYMENT_REFERENCE_USED": (
        "该缴款凭证号已用于其他核定或金额",
        "the payment reference was recorded for another assessment or amount",
    ),
    "ALREADY_REFUNDED": (
        "该核定已退税或作废",
        "the assessment was already refunded or voided",
    ),
    "ASSESSMENT_NOT_PAYABLE": (
        "该核定已缴款、退税或作废",
        "the assessment is paid, refunded or voided",
    ),
    "PAYMENT_AMOUNT_MISMATCH": (
        "缴款金额与应纳税额不符",
        "the payment does not equal the tax due",
    ),
    "TRANSFER_ALREADY_LODGED": (
        "该房屋已有转移登记在办",
        "a transfer of the unit is already in the queue",
    ),
    "FIRST_REGISTRATION_MISSING": (
        "该楼栋尚未办理首次登记",
        "the building's first registration is not entered yet",
    ),
    "CORRECTION_PENDING": (
        "该房屋有待处理的更正登记",
        "a correction (更正) of the unit's entries is pending",
    ),
    "CORRECTION_NOT_PENDING": (
        "该更正已处理",
        "the correction was already resolved",
    ),
    "TRANSFER_RESTRICTED_BY_AGREEMENT": (
        "抵押期间有禁止转让的约定",
        "a recorded agreement forbids transfer while the mortgage stands",
    ),
    "ENTRY_NOT_CURRENT": (
        "该登记事项不是现势事项",
        "the entry to end or act on is pending or historic, not current",
    ),
    "OWNERSHIP_MISSING": (
        "抵押需要该房屋已登记所有权人",
        "a mortgage needs a registered owner of the unit",
    ),
    "MORTGAGOR_CONSENT_MISSING": (
        "抵押需要每一位抵押人对抵押合同签名",
        "a mortgage needs every mortgagor's signature over its terms",
    ),
    "MORTGAGOR_NOT_OWNER": (
        "抵押人不是该房屋的登记所有权人",
        "the mortgagors are not the unit's registered owners",
    ),
    "MORTGAGE_NOT_REGISTERED": (
        "只有已登簿的抵押权才能注销",
        "only a registered mortgage can be discharged",
    ),
    "CONTRACT_NOT_DRAFTED": (
        "只有草拟状态的合同才能签名",
        "signatures are collected only while the contract is drafted",
    ),
    "CONTRACT_NOT_SIGNED": (
        "备案需要各方签名",
        "filing needs every party's signature",
    ),
    "CONTRACT_NOT_FILED": (
        "预告登记和转移登记需要已备案的合同",
        "pre-registration and transfer need a filed contract",
    ),
    "CONTRACT_CANCELLED": (
        "合同已注销",
        "the contract is already cancelled",
    ),
    "PROJECT_EXISTS": (
        "该预售许可证号的项目已登记",
        "a project with that presale permit number is already registered",
    ),
    "UNIT_ON_ANOTHER_PERMIT": (
        "该房屋已在其他预售许可范围内",
        "a unit is already covered by another presale permit",
    ),
    "CONTRACT_TRANSFERRED": (
        "合同已因转移登记履行完毕",
        "the contract was performed by a registered transfer; nothing is undone",
    ),
    "SIGNER_NOT_A_PARTY": (
        "签名人不是合同当事人",
        "the signature's slot names someone who is not a party of the contract",
    ),
    "ALREADY_SIGNED": (
        "该当事人已签名",
        "the party has already signed",
    ),
    "SIGNATURES_MISSING": (
        "尚有当事人未签名",
        "some parties have not signed",
    ),
    "CERTIFICATE_OF_ANOTHER_PARTY": (
        "签名证书属于他人，而非该签名位置的当事人",
        "the signature's certificate names another party than the one whose slot it fills",
    ),
    "CERTIFICATE_EXPIRED": (
        "签名人证书不在有效期内",
        "the signer's certificate is not valid now",
    ),
    "CERTIFICATE_UNTRUSTED": (
        "签名人证书并非本平台认证机构签发的当事人证书",
        "the signer's certificate is not a party certificate issued by the platform's CA",
    ),
    "SIGNATURE_ALGORITHM_UNSUPPORTED": (
        "本平台不验证该签名算法",
        "the signature's algorithm is not one the platform verifies",
    ),
    "SIGNATURE_KEY_MISMATCH": (
        "证书密钥与签名算法不符",
        "the certificate's key is of another algorithm than the signature's",
    ),
    "SIGNATURE_NOT_CANONICAL": (
        "签名编码不规范（非 DER 或高 S 值）",
        "the ECDSA signature is not DER, or has a high S: one signature has one encoding",
    ),
    "SIGNATURE_WRONG_PURPOSE": (
        "该签名是为同一房屋的另一事项所作",
        "the signature was given for another act on the same flat and terms",
    ),
    "SIGNATURE_MISMATCH": (
        "签名与本事项的签署内容或证书密钥不符（他人密钥、其他房屋或其他条款）",
        "the signature does not verify over this act's statement: another key, unit or terms",
    ),
    "CANCELLATION_CONSENT_MISSING": (
        "注销需各方签名同意或法院裁判",
        "cancellation needs every party's signature or a court ruling",
    ),
    "CASE_NOT_LODGED": (
        "该操作需要案件处于受理状态",
        "the clerk's action needs the case lodged (受理)",
    ),
    "CASE_NOT_REQUISITIONED": (
        "只有补正中的案件才能重新提交",
        "only a requisitioned case can be resubmitted",
    ),
    "CASE_NOT_APPROVED": (
        "登簿需要案件已审核通过",
        "entering in the book (登簿) needs an approved case",
    ),
    "CASE_ALREADY_REGISTERED": (
        "案件已登簿，不能撤回或不予登记",
        "the case is entered in the book; it can no longer be withdrawn or refused",
    ),
    "CASE_CLOSED": (
        "案件已撤回、不予登记或失效",
        "the case was withdrawn, refused or lapsed",
    ),
    "CERTIFICATE_NOT_READY": (
        "交房需要不动产权证书已制证",
        "handover needs the certificate ready",
    ),
    "PURCHASE_CANCELLED": (
        "该购房业务已撤销",
        "the purchase was cancelled",
    ),
    "PURCHASE_ALREADY_CANCELLED": (
        "该购房业务已撤销或正在撤销",
        "the purchase is already cancelled or cancelling",
    ),
    "PURCHASE_REJECTED": (
        "该申报已被拒绝（如房屋已售他人），无需撤销",
        "the filing was rejected (e.g. the flat went to another buyer); nothing to cancel",
    ),
    "PURCHASE_PAST_PIVOT": (
        "转移登记已登簿，撤销只能通过更正登记",
        "the transfer is registered; cancellation would undo a title, which only a correction can",
    ),
    "PURCHASE_NOT_PARKED": (
        "只有待人工处理的购房业务才能恢复",
        "only a parked purchase can be resumed",
    ),
}


def meaning(reason: str) -> tuple[str, str]:
    """(Chinese, English) for a reason; an unknown reason is named as such, never hidden."""
    return REASONS.get(reason, ("未知原因", f"unknown reason {reason}"))
