import { Anchor } from '@mantine/core';
import { Link } from 'wouter';
import { EmptyState } from '../components/states.js';

export function NotFoundPage() {
  return (
    <EmptyState title="Page not found" action={<Anchor component={Link} href="/prompts">Go to the prompts</Anchor>}>
      There is no page at this address.
    </EmptyState>
  );
}
