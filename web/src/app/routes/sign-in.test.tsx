import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { signedOutState } from '@/lib/paths';
import { resetSessionForTests, setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { SignInRoute } from './sign-in';

const signedIn = () =>
  setSession({
    token: 't',
    refresh_token: 'r',
    token_type: 'Bearer',
    expires_in: 900,
    employee: { id: 'e1', name: 'James Miller', email: 'james@example.com' },
  });

const app = (
  <Routes>
    <Route path="/sign-in" element={<SignInRoute />} />
    <Route path="/project" element={<p>projects page</p>} />
  </Routes>
);

describe('SignInRoute', () => {
  beforeEach(() => resetSessionForTests());

  it('sends a signed-in visitor where the link pointed', async () => {
    signedIn();
    renderWithProviders(app, { route: '/sign-in?next=%2Fproject' });
    expect(await screen.findByText('projects page')).toBeInTheDocument();
  });

  it('stays on the form when signing out opened it, though the session is still ending', async () => {
    signedIn();
    renderWithProviders(app, { route: '/sign-in?next=%2Fproject', state: signedOutState });
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.queryByText('projects page')).not.toBeInTheDocument();
  });
});
