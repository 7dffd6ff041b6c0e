/**
 * Targeted invalid documents: each yields the expected problem code, path, line/column and
 * spec section. Bad input never throws.
 */
import { validateAnswer, type Problem, type ValidateProvider } from '../../src/validate';

function problems(provider: ValidateProvider, xml: string, options = {}): Problem[] {
  return validateAnswer(provider, xml, options).problems;
}

function only(provider: ValidateProvider, xml: string, options = {}): Problem {
  const found = problems(provider, xml, options);
  expect(found).toHaveLength(1);
  return found[0] as Problem;
}

describe('documents that are not XML answers', () => {
  test.each(['', '   \n\t', '\uFEFF'])('an empty file (%j) is xml-empty', (xml) => {
    const result = validateAnswer('placetel', xml);
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'xml-empty',
        path: '/',
        line: 1,
        column: 1,
        severity: 'error',
      }),
    ]);
  });

  test('a mismatched closing tag is xml-malformed with its line and column', () => {
    const problem = only('placetel', '<Response>\n  <Forward>\n</Response>');
    expect(problem).toMatchObject({ code: 'xml-malformed', path: '/', line: 2, severity: 'error' });
    expect(problem.column).toEqual(expect.any(Number));
    expect(problem.message).toMatch(/Forward/);
    expect(problem.spec).toMatch(/^XML 1\.0/);
  });

  test('an unquoted attribute (an Ozeki doc bug, spec §7.9) is xml-malformed', () => {
    const problem = only('ozeki', '<Response>\n<Hangup CallId=23Xdz7></Hangup></Response>');
    expect(problem).toMatchObject({ code: 'xml-malformed', line: 2 });
  });

  test.each([
    ['text only', 'hello'],
    ['two roots', '<Response/><Response/>'],
    ['unknown entity', '<Response>&foo;</Response>'],
    ['duplicate attribute', '<Response><Reject reason="busy" reason="busy"/></Response>'],
  ])('%s is xml-malformed, never a throw', (_name, xml) => {
    for (const provider of ['placetel', 'ozeki', 'voipnow', 'opentact'] as const) {
      const result = validateAnswer(provider, xml);
      expect(result.valid).toBe(false);
      expect(result.problems.map((p) => p.code)).toContain('xml-malformed');
    }
  });

  test('a DOCTYPE is refused', () => {
    expect(only('voipnow', '<!DOCTYPE Response><Response/>').code).toBe('xml-doctype');
  });

  test.each(['placetel', 'ozeki', 'voipnow', 'opentact'] as const)(
    'a wrong root element is root-element (%s)',
    (provider) => {
      const problem = only(provider, '<Answer><Hangup/></Answer>');
      expect(problem).toMatchObject({ code: 'root-element', path: '/Answer' });
      expect(problem.spec.startsWith(`docs/providers/${provider}.md`)).toBe(true);
    },
  );
});

describe('placetel', () => {
  test.each([
    ['<Group id="1" backup_behaviour="routing_object"/>', 'placetel.group-backup'],
    ['<Group id="1" backup_routing_object="2"/>', 'placetel.group-backup'],
    [`<Forward><Target><Number>${'1'.repeat(257)}</Number></Target></Forward>`, 'out-of-range'],
  ])('what the builders refuse is an error too: %s', (action, code) => {
    expect(only('placetel', `<Response>${action}</Response>`)).toMatchObject({
      code,
      severity: 'error',
    });
  });

  test('unknown element, with the hint of spec §3.4', () => {
    const problem = only(
      'placetel',
      '<Response><Dial callerId="1"><Number>1</Number></Dial></Response>',
    );
    expect(problem).toMatchObject({
      code: 'unknown-element',
      path: '/Response/Dial[1]',
      line: 1,
      column: 11,
      spec: 'docs/providers/placetel.md §3.4 Responses seen in consumers but NOT in the spec',
    });
  });

  test('a lower-case element name suggests the right one', () => {
    expect(only('placetel', '<Response><forward/></Response>').message).toMatch(
      /did you mean <Forward>/,
    );
  });

  test('missing required attribute', () => {
    expect(only('placetel', '<Response>\n  <Prompt/>\n</Response>')).toMatchObject({
      code: 'missing-attribute',
      path: '/Response/Prompt[1]',
      line: 2,
      column: 3,
      spec: 'docs/providers/placetel.md §3.3 Other actions',
    });
    expect(only('placetel', '<Response><Queue/></Response>').message).toMatch(/id or queue_id/);
  });

  test('bad enum value', () => {
    expect(only('placetel', '<Response><Reject reason="declined"/></Response>')).toMatchObject({
      code: 'bad-enum',
      path: '/Response/Reject[1]/@reason',
      spec: 'docs/providers/placetel.md §3.3 Other actions',
    });
    expect(
      only('placetel', '<Response><Group id="1" backup_behaviour="behavior"/></Response>').code,
    ).toBe('bad-enum');
  });

  test('booleans, integers and ranges', () => {
    expect(only('placetel', '<Response><Forward voicemail="yes"/></Response>')).toMatchObject({
      code: 'bad-boolean',
      path: '/Response/Forward[1]/@voicemail',
      spec: 'docs/providers/placetel.md §3.2 <Forward> attributes',
    });
    expect(only('placetel', '<Response><Group id="1" ringtime="90"/></Response>').code).toBe(
      'out-of-range',
    );
    expect(
      only(
        'placetel',
        '<Response><Forward><Target ringtime="30s"><Number>1</Number></Target></Forward></Response>',
      ).code,
    ).toBe('bad-integer');
  });

  test('wrong nesting', () => {
    const found = problems(
      'placetel',
      '<Response><Forward><Target><Number>1</Number></Target></Forward><Target/></Response>',
    );
    expect(found.map((p) => [p.code, p.path])).toEqual([
      ['misplaced-element', '/Response/Target[1]'],
      ['missing-child', '/Response/Target[1]'],
    ]);
    expect(
      only('placetel', '<Response><Forward><Number>1</Number></Forward></Response>'),
    ).toMatchObject({ code: 'misplaced-element', path: '/Response/Forward[1]/Number[1]' });
  });

  test('paths count same-named siblings', () => {
    const problem = only(
      'placetel',
      '<Response><Forward><Target><Number>1</Number></Target><Target><Number>2</Number><Number/></Target></Forward></Response>',
    );
    expect(problem).toMatchObject({
      code: 'missing-text',
      path: '/Response/Forward[1]/Target[2]/Number[2]',
    });
  });

  test('one action per answer; text where none belongs; unknown attribute', () => {
    expect(only('placetel', '<Response><Hangup/><Reject/></Response>')).toMatchObject({
      code: 'placetel.multiple-actions',
      path: '/Response/Reject[1]',
    });
    expect(only('placetel', '<Response><Hangup>now</Hangup></Response>').code).toBe(
      'unexpected-text',
    );
    const [problem, missing] = problems('placetel', '<Response><Queue queue_Id="1"/></Response>');
    expect(problem?.code).toBe('unknown-attribute');
    expect(problem?.message).toMatch(/did you mean "queue_id"/);
    expect(missing?.code).toBe('missing-attribute');
  });

  test('a Forward with no target and no voicemail has nowhere to go', () => {
    expect(only('placetel', '<Response><Forward voicemail="false"/></Response>').code).toBe(
      'placetel.forward-nowhere',
    );
  });

  test("the Python example's empty ringtime is a warning", () => {
    const result = validateAnswer(
      'placetel',
      '<Response><Forward><Target ringtime=""><Number>1</Number></Target></Forward></Response>',
    );
    expect(result.valid).toBe(true);
    expect(result.problems.map((p) => [p.code, p.severity])).toEqual([['legacy', 'warning']]);
  });
});

describe('ozeki', () => {
  test('attribute names match ignoring case (spec §4, §7.6)', () => {
    expect(
      problems('ozeki', '<Response><UserInput TIMEOUT="5" forwardtourl="http://a/"/></Response>'),
    ).toEqual([]);
  });

  const userInput = (attributes: string, key: string) =>
    `<Response><UserInput${attributes}><Inputs><Input Key="${key}"><Hangup/></Input></Inputs></UserInput></Response>`;

  test.each([
    [userInput('', '12'), 'ozeki.input-key-length', /waits for 1 digit/],
    [userInput(' Digits="3"', '12'), 'ozeki.input-key-length', /digits is 3/],
    [userInput(' MinDigits="3"', '12'), 'ozeki.input-key-length', /fewer than minDigits 3/],
    [userInput(' Digits="2" MaxDigits="3"', '12'), 'ozeki.digits', /cannot be combined/],
    [userInput(' MinDigits="3" MaxDigits="2"', '1'), 'ozeki.digits', /greater than maxDigits/],
    ['<Response><UserInput Timeout="5"/></Response>', 'ozeki.input-unhandled', /nothing handles/],
    ['<Response><UserInput BackKey="*"/></Response>', 'ozeki.back-key', /top-level/],
    [
      '<Response><UserInput ForwardToUrl="proc.php"/></Response>',
      'bad-format',
      /absolute http\(s\) URL/,
    ],
    [
      '<Response><Route Destination="" RingTime="30"/></Response>',
      'ozeki.route-reject',
      /ringTime/,
    ],
    [
      '<Response><BlindTransfer CallId="a">1</BlindTransfer></Response>',
      'ozeki.blind-transfer-form',
      /callId/,
    ],
    [
      '<Response><AttendedTransfer TargetCallId="a" TransferredCallId="a"/></Response>',
      'ozeki.same-call',
      /same call/,
    ],
    ['<Response><Speak Language="english!">x</Speak></Response>', 'bad-format', /language code/],
  ])('what the builders refuse is an error too: %s', (xml, code, message) => {
    expect(only('ozeki', xml)).toMatchObject({
      code,
      severity: 'error',
      message: expect.stringMatching(message) as unknown,
    });
  });

  test('an input key as long as Digits, MinDigits/MaxDigits allow is valid', () => {
    expect(problems('ozeki', userInput(' Digits="2"', '12'))).toEqual([]);
    expect(problems('ozeki', userInput(' MinDigits="1" MaxDigits="2"', '12'))).toEqual([]);
  });

  test('an enum value in another letter case is a warning (Ozeki ignores case)', () => {
    expect(only('ozeki', '<Response><Speak Party="Caller">x</Speak></Response>')).toMatchObject({
      code: 'bad-enum',
      severity: 'warning',
    });
  });

  test('Reject only first (spec §5.5)', () => {
    expect(only('ozeki', '<Response><Speak>Hi</Speak><Reject/></Response>')).toMatchObject({
      code: 'ozeki.reject-not-first',
      path: '/Response/Reject[1]',
      spec: 'docs/providers/ozeki.md §5.5 Reject',
    });
  });

  test('one Route, alone, in a routing answer (spec §5.15)', () => {
    expect(
      only('ozeki', '<Response><Route Destination="1"/><Route Destination="2"/></Response>').code,
    ).toBe('ozeki.route-count');
    expect(
      only('ozeki', '<Response><Route Destination="1"/><Speak>x</Speak></Response>'),
    ).toMatchObject({
      code: 'ozeki.mixed-control',
      path: '/Response/Speak[1]',
    });
    expect(only('ozeki', '<Response><Route/></Response>').code).toBe('missing-attribute');
  });

  test('extension and third-party commands do not mix (spec §3.1, §4)', () => {
    const problem = only('ozeki', '<Response><Delay>1</Delay><Hold/></Response>');
    expect(problem).toMatchObject({ code: 'ozeki.mixed-control', path: '/Response/Hold[1]' });
    expect(problem.spec).toContain('docs/providers/ozeki.md §3.1');
  });

  test('third-party Speak needs Party (spec §5.1)', () => {
    const problem = only('ozeki', '<Response><Speak>Hi</Speak></Response>', {
      ozekiControl: 'thirdParty',
    });
    expect(problem).toMatchObject({ code: 'ozeki.mixed-control' });
    expect(problem.spec).toContain('§5.1 Speak');
  });

  test('bad values and missing text', () => {
    expect(only('ozeki', '<Response><Delay>soon</Delay></Response>').code).toBe('bad-integer');
    expect(only('ozeki', '<Response><Speak/></Response>').code).toBe('missing-text');
    expect(
      only('ozeki', '<Response><SendDTMF Party="nobody" Keys="1"/></Response>', {
        ozekiControl: 'thirdParty',
      }),
    ).toMatchObject({ code: 'bad-enum', path: '/Response/SendDTMF[1]/@Party' });
    expect(
      only(
        'ozeki',
        '<Response><UserInput><Inputs><Input key="x"><Hangup/></Input></Inputs></UserInput></Response>',
      ).code,
    ).toBe('bad-format');
  });

  test('nesting: Input only in Inputs; commands in an Input are extension commands', () => {
    expect(
      only(
        'ozeki',
        '<Response><UserInput ForwardToUrl="http://a/"><Input key="1"><Hangup/></Input></UserInput></Response>',
      ),
    ).toMatchObject({ code: 'misplaced-element', path: '/Response/UserInput[1]/Input[1]' });
    expect(
      only(
        'ozeki',
        '<Response><UserInput><Inputs><Input key="1"><Hold/></Input></Inputs></UserInput></Response>',
      ).code,
    ).toBe('ozeki.mixed-control');
  });

  test('an undocumented command is a warning, unchecked', () => {
    const result = validateAnswer('ozeki', '<Response><Beep anything="1"/></Response>');
    expect(result.valid).toBe(true);
    expect(result.problems.map((p) => [p.code, p.severity])).toEqual([['undocumented', 'warning']]);
  });
});

describe('voipnow', () => {
  test('SetCaller needs name and number ("else parsing is aborted")', () => {
    expect(only('voipnow', '<Response><SetCaller name="x"/></Response>')).toMatchObject({
      code: 'missing-attribute',
      path: '/Response/SetCaller[1]',
      spec: 'docs/providers/voipnow.md §2 Call Interactive (Response verbs)',
    });
  });

  test('enums, integers, unknown elements with a hint', () => {
    expect(
      only('voipnow', '<Response><PlaySound view="public">x</PlaySound></Response>').code,
    ).toBe('bad-enum');
    expect(only('voipnow', '<Response><Pause length="1.5"/></Response>').code).toBe('bad-integer');
    expect(only('voipnow', '<Response><Speak>x</Speak></Response>').message).toMatch(/PlayTTS/);
  });

  test.each([
    ['<Pause length="0"/>', 'out-of-range', '/Response/Pause[1]/@length', /from 1 to 3600 seconds/],
    ['<Pause length="99999"/>', 'out-of-range', '/Response/Pause[1]/@length', /from 1 to 3600/],
    [
      '<PlayTTS volume="400">x</PlayTTS>',
      'out-of-range',
      '/Response/PlayTTS[1]/@volume',
      /0 to 300/,
    ],
    ['<PlaySound folder="">x</PlaySound>', 'bad-format', '/Response/PlaySound[1]/@folder', /empty/],
    [
      '<Jump context="c" priority="99999999999999999999"/>',
      'out-of-range',
      '/Response/Jump[1]/@priority',
      /at most/,
    ],
  ])('what the builders refuse is an error too: %s', (verb, code, path, message) => {
    expect(only('voipnow', `<Response>${verb}</Response>`)).toMatchObject({
      code,
      path,
      severity: 'error',
      message: expect.stringMatching(message) as unknown,
      spec: 'docs/providers/voipnow.md §2 Call Interactive (Response verbs)',
    });
  });

  test('verbs after Hangup never run (warning)', () => {
    const result = validateAnswer('voipnow', '<Response><Hangup/><Pause/></Response>');
    expect(result.valid).toBe(true);
    expect(result.problems.map((p) => p.code)).toEqual(['voipnow.after-hangup']);
  });
});

describe('opentact', () => {
  test.each([
    ['<Schedule dow="mon,mon"><Hangup/></Schedule>', '/Response/Schedule[1]/@dow'],
    ['<Schedule time="17:00:00-09:00:00"><Hangup/></Schedule>', '/Response/Schedule[1]/@time'],
    ['<Geo states="NJ,NJ"><Hangup/></Geo>', '/Response/Geo[1]/@states'],
    ['<Tone hz="0"/>', '/Response/Tone[1]/@hz'],
    ['<Say code="a b">x</Say>', '/Response/Say[1]/@code'],
    ['<Meta name="1x" value="v"/>', '/Response/Meta[1]/@name'],
  ])('what the builders refuse is an error too: %s', (verb, path) => {
    expect(only('opentact', `<Response>${verb}</Response>`)).toMatchObject({
      code: 'bad-format',
      path,
      severity: 'error',
    });
  });

  test('unknown element is an error, unknown attribute a warning', () => {
    expect(only('opentact', '<Response><Speak>x</Speak></Response>')).toMatchObject({
      code: 'unknown-element',
      severity: 'error',
    });
    const result = validateAnswer('opentact', '<Response><Hangup reason="x"/></Response>');
    expect(result.valid).toBe(true);
    expect(result.problems.map((p) => [p.code, p.severity])).toEqual([
      ['unknown-attribute', 'warning'],
    ]);
  });

  test('nesting: DTMF only in Gather, Case only in Switch, To only in Dial', () => {
    expect(only('opentact', '<Response><DTMF value="1"/></Response>').code).toBe(
      'misplaced-element',
    );
    expect(
      only(
        'opentact',
        '<Response><Gather url="https://a.example/"><Case dtmf="1"><Hangup/></Case></Gather></Response>',
      ),
    ).toMatchObject({ code: 'misplaced-element', path: '/Response/Gather[1]/Case[1]' });
    expect(only('opentact', '<Response><Say><To>1</To>Hi</Say></Response>').code).toBe(
      'misplaced-element',
    );
  });

  test('required attributes and sources', () => {
    expect(
      only('opentact', '<Response><Gather><DTMF><Hangup/></DTMF></Gather></Response>'),
    ).toMatchObject({
      code: 'missing-attribute',
      path: '/Response/Gather[1]/DTMF[1]',
    });
    expect(only('opentact', '<Response><Dial/></Response>').code).toBe('missing-child');
    expect(only('opentact', '<Response><Play/></Response>').code).toBe('missing-text');
    expect(only('opentact', '<Response><Callback/></Response>').code).toBe('missing-attribute');
  });

  test('bad values', () => {
    expect(only('opentact', '<Response><Say gender="male">Hi</Say></Response>')).toMatchObject({
      code: 'bad-enum',
      path: '/Response/Say[1]/@gender',
      spec: 'docs/providers/opentact.md §3.2 <Say>',
    });
    expect(only('opentact', '<Response><Schedule dow="monday"/></Response>').code).toBe(
      'bad-format',
    );
    expect(only('opentact', '<Response><Tone v="10"/></Response>').code).toBe('out-of-range');
  });

  test('a duration that looks like seconds is a warning (spec §3.1: milliseconds)', () => {
    const result = validateAnswer('opentact', '<Response><Pause length="5"/></Response>');
    expect(result.valid).toBe(true);
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'opentact.seconds-not-ms',
        severity: 'warning',
        spec: 'docs/providers/opentact.md §3.2 <Pause/>',
      }),
    ]);
  });

  test('both documented forms pass where the docs contradict themselves (spec §7)', () => {
    for (const xml of [
      '<Response><Error say="true"/></Response>',
      '<Response><Error play="true"/></Response>',
      '<Response><Tone volume="-10"/></Response>',
      '<Response><Tone v="-10"/></Response>',
      '<Response><Play url="https://a.example/x.mp3"/></Response>',
      '<Response><Play>https://a.example/x.mp3</Play></Response>',
      '<Response><Callback url="https://a.example/" method="post"/></Response>',
      '<Response><callback>https://a.example/</callback></Response>',
    ]) {
      expect({ xml, problems: problems('opentact', xml) }).toEqual({ xml, problems: [] });
    }
  });

  test('mixing Gather generations is a warning (spec §7.1)', () => {
    const result = validateAnswer(
      'opentact',
      '<Response><Gather numDigits="1" dtmf_stop="#"><DTMF value="1"><Hangup/></DTMF></Gather></Response>',
    );
    expect(result.valid).toBe(true);
    expect(result.problems.map((p) => p.code)).toEqual(['opentact.gather-generations']);
  });
});

test('an unknown provider is a programming error', () => {
  expect(() => validateAnswer('nosuchprovider' as ValidateProvider, '<Response/>')).toThrow(
    TypeError,
  );
});
