import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

const RULES_ZH: Record<string, string> = {
  whitelistValidation: '不允许的字段',
  isDefined: '必填',
  isNotEmpty: '不能为空',
  isString: '必须是文本',
  isInt: '必须是整数',
  isNumber: '必须是数字',
  isBoolean: '必须是布尔值',
  isEmail: '必须是有效的电子邮箱',
  isIn: '取值不在允许范围内',
  isEnum: '取值不在允许范围内',
  maxLength: '过长',
  minLength: '过短',
  min: '过小',
  max: '过大',
  isISO8601: '必须是 YYYY-MM-DD 日期',
  matches: '格式不正确',
  isArray: '必须是数组',
  arrayMaxSize: '条目过多',
  arrayMinSize: '条目过少',
  arrayUnique: '不能有重复',
  isUrl: '必须是有效网址',
  isCreditCode: '统一社会信用代码无效（校验位不符）',
  isAfterStart: '建设周期结束日期必须晚于开始日期',
  maxCycle: '建设周期不得超过 5 年',
  isPositive: '必须大于 0',
  whitelist: '不允许的字段',
  isObject: '必须是对象',
  nestedValidation: '必须是对象',
};

/** Flattens nested class-validator errors into {field: 'contacts.0.email', rule, message}. */
export function flattenErrors(errors: ValidationError[], prefix = '') {
  const out: { field: string; rule: string; message: string; messageZh: string }[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [rule, message] of Object.entries(e.constraints ?? {})) {
      out.push({ field, rule, message, messageZh: `${field}：${RULES_ZH[rule] ?? '无效'}` });
    }
    if (e.children?.length) out.push(...flattenErrors(e.children, field));
  }
  return out;
}

/** The one ValidationPipe: strips nothing silently (unknown fields are refused), converts types. */
export function validationPipe() {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const list = flattenErrors(errors);
      return new BadRequestException({
        statusCode: 400,
        error: 'ValidationError',
        message: list.map((e) => `${e.field}: ${e.message}`).join('; '),
        messageZh: list.map((e) => e.messageZh).join('；'),
        errors: list.map(({ field, rule, message }) => ({ field, rule, message })),
      });
    },
  });
}
