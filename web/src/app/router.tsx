import { createBrowserRouter, Navigate } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { AppShellLayout } from './layout/app-shell';
import { DatalabelsRoute } from './routes/datalabels';
import { EntityDetailRoute } from './routes/entity-detail';
import { EntityListRoute } from './routes/entity-list';
import { NotFoundRoute } from './routes/not-found';
import { PermissionsRoute } from './routes/permissions';
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
          // Static segments outrank `:entity`, so these never reach the record routes.
          { path: 'settings/datalabels', element: <DatalabelsRoute /> },
          { path: 'settings/datalabels/:datalabel', element: <DatalabelsRoute /> },
          { path: 'settings/permissions', element: <PermissionsRoute /> },
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
