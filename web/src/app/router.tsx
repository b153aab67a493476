import { createBrowserRouter, Navigate } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { AppShellLayout } from './layout/app-shell';
import { EntityDetailRoute } from './routes/entity-detail';
import { EntityListRoute } from './routes/entity-list';
import { NotFoundRoute } from './routes/not-found';
import { SignInRoute } from './routes/sign-in';
import { SessionGate } from './session-gate';

const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInRoute /> },
  {
    element: <SessionGate />,
    children: [
      {
        element: <AppShellLayout />,
        children: [
          { index: true, element: <Navigate to="/project" replace /> },
          { path: ':entity', element: <EntityListRoute /> },
          { path: ':entity/:id', element: <EntityDetailRoute /> },
          { path: ':entity/:id/:tab', element: <EntityDetailRoute /> },
          { path: '*', element: <NotFoundRoute /> },
        ],
      },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
