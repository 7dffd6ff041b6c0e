/**
 * The TeXML and cXML answer rules (`twimlRules` of the two plug-ins): every documented answer
 * of the fixtures validates, and the differences from TwiML that the references list are
 * enforced per dialect (docs/providers/telnyx.md §5.2, §5.3; docs/providers/signalwire.md §5.2).
 */
import { validateAnswer } from '../../src/validate';
import { loadFixtures } from '../helpers/fixtures';

const doc = (body: string): string => `<Response>${body}</Response>`;
const errors = (provider: 'telnyx' | 'signalwire', xml: string) =>
  validateAnswer(provider, xml).problems.filter((problem) => problem.severity === 'error');

describe.each(['telnyx', 'signalwire'] as const)('documented %s answers', (provider) => {
  const { responses } = loadFixtures(provider);
  test.each(responses.map((fixture) => [fixture.id, fixture.xml] as const))(
    '%s has no error',
    (_id, xml) => {
      expect(errors(provider, xml)).toEqual([]);
    },
  );
});

describe('dialect differences', () => {
  test('<Pay> and <Sms> are cXML, not TeXML (telnyx.md §5.2)', () => {
    const pay = doc('<Pay chargeAmount="1.00"/>');
    expect(errors('telnyx', pay).length).toBeGreaterThan(0);
    expect(errors('signalwire', pay)).toEqual([]);
  });

  test('TeXML ranges: <Pause length> at most 180 s, <Dial timeout> 5–120 s (telnyx.md §5.3)', () => {
    expect(errors('telnyx', doc('<Pause length="180"/>'))).toEqual([]);
    expect(errors('telnyx', doc('<Pause length="181"/>')).length).toBeGreaterThan(0);
    expect(errors('telnyx', doc('<Dial timeout="121">+15550000001</Dial>')).length).toBeGreaterThan(
      0,
    );
    expect(errors('signalwire', doc('<Dial timeout="121">+15550000001</Dial>'))).toEqual([]);
  });

  test('<Suppression> is TeXML only; <Verto> and <Denoise> cXML only', () => {
    expect(errors('telnyx', doc('<Start><Suppression direction="both"/></Start>'))).toEqual([]);
    expect(
      errors('signalwire', doc('<Start><Suppression direction="both"/></Start>')).length,
    ).toBeGreaterThan(0);
    expect(errors('signalwire', doc('<Denoise>on</Denoise>'))).toEqual([]);
    expect(errors('telnyx', doc('<Denoise>on</Denoise>')).length).toBeGreaterThan(0);
  });
});
