import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { getAccessToken, resetSessionForTests } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { SignInForm } from './sign-in-form';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('SignInForm', () => {
  beforeEach(() => resetSessionForTests());
  afterEach(() => vi.unstubAllGlobals());

  it('labels every input and defaults the workspace to demo', () => {
    renderWithProviders(<SignInForm onSignedIn={() => undefined} />);
    expect(screen.getByRole('textbox', { name: /e-mail/i })).toBeInTheDocument();
    expect(screen.getByLabelText(/^password/i, { selector: 'input' })).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: /workspace/i })).toHaveValue('demo');
  });

  it('shows validation messages from the envelope next to their fields', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        json(422, { error: { code: 'validation_failed', message: 'incomplete', details: { fields: { tenant: 'not a tenant id' } } } }),
      ),
    );
    renderWithProviders(<SignInForm onSignedIn={() => undefined} />);
    const user = userEvent.setup();
    await user.type(screen.getByRole('textbox', { name: /e-mail/i }), 'a@b.c');
    await user.type(screen.getByLabelText(/^password/i, { selector: 'input' }), 'x');
    const tenant = screen.getByRole('textbox', { name: /workspace/i });
    await user.clear(tenant);
    await user.type(tenant, 'BAD SLUG');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('not a tenant id')).toBeInTheDocument();
    expect(tenant).toHaveAttribute('aria-invalid', 'true');
  });

  it('explains a refused sign-in above the form', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(json(401, { error: { code: 'unauthenticated', message: 'invalid credentials' } })));
    renderWithProviders(<SignInForm onSignedIn={() => undefined} />);
    const user = userEvent.setup();
    await user.type(screen.getByRole('textbox', { name: /e-mail/i }), 'a@b.c');
    await user.type(screen.getByLabelText(/^password/i, { selector: 'input' }), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/not right for this workspace/);
  });

  it('keeps the token in memory and reports success', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        json(200, { token: 'tok', refresh_token: 'r', token_type: 'Bearer', expires_in: 900, employee: { id: 'e', name: 'A', email: 'a@b.c' } }),
      ),
    );
    const onSignedIn = vi.fn();
    renderWithProviders(<SignInForm onSignedIn={onSignedIn} />);
    const user = userEvent.setup();
    await user.type(screen.getByRole('textbox', { name: /e-mail/i }), 'a@b.c');
    await user.type(screen.getByLabelText(/^password/i, { selector: 'input' }), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
    expect(getAccessToken()).toBe('tok');
  });
});
