import { Anchor, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../components/states.js';
import { useSession } from '../session/session.js';

/** Log in or sign up (POST /auth/login, /auth/signup); the token is kept for this tab's session. */
export function LoginPage() {
  const { logIn, signUp, signupAllowed } = useSession();
  const [mode, setMode] = useState<'login' | 'signup'>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'login') await logIn({ email, password });
      else await signUp({ email, password, ...(name.trim() ? { name: name.trim() } : {}) });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const signup = mode === 'signup';
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={400} component="main">
        <form onSubmit={(e) => void submit(e)}>
          <Stack>
            <Title order={1} size="h2">{signup ? 'Sign up to Promptgate' : 'Log in to Promptgate'}</Title>

            {signup && <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} autoComplete="name" />}
            <TextInput label="Email" type="email" required withAsterisk={false} value={email} onChange={(e) => setEmail(e.currentTarget.value)} autoComplete="email" />
            <PasswordInput
              label="Password"
              required withAsterisk={false}
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete={signup ? 'new-password' : 'current-password'}
              description={signup ? 'At least 10 characters.' : undefined}
            />
            {error !== null && <ErrorAlert error={error} title={signup ? 'Could not sign up' : 'Could not log in'} />}
            <Button type="submit" loading={busy}>{signup ? 'Sign up' : 'Log in'}</Button>
            {signupAllowed && (
              <Text size="sm" ta="center">
                {signup ? 'Already have an account? ' : 'No account yet? '}
                <Anchor component="button" type="button" onClick={() => { setMode(signup ? 'login' : 'signup'); setError(null); }}>
                  {signup ? 'Log in instead' : 'Create an account'}
                </Anchor>
              </Text>
            )}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
