import { transcriptUrl } from '../../src/providers/plugin-kit';

describe('transcriptUrl: a followed URL as a transcript shows it', () => {
  test('a URL without secrets is shown as given', () => {
    expect(transcriptUrl('/?menu=private')).toBe('/?menu=private');
    expect(transcriptUrl('/gather')).toBe('/gather');
    expect(transcriptUrl('http://127.0.0.1:3000/ozeki/pin?step=2')).toBe(
      'http://127.0.0.1:3000/ozeki/pin?step=2',
    );
  });

  test('the value of a parameter named like a secret is redacted, the rest kept', () => {
    expect(transcriptUrl('/?menu=private&token=not-a-real-token-0123')).toBe(
      '/?menu=private&token=[redacted]',
    );
    expect(transcriptUrl('http://127.0.0.1:3000/ozeki?Token=abc&sig=def&step=1')).toBe(
      'http://127.0.0.1:3000/ozeki?Token=[redacted]&sig=[redacted]&step=1',
    );
  });
});
