package io.litefleet.replica.sftp;

import io.litefleet.api.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthKeyboardInteractive;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPassword;
import net.schmizz.sshj.userauth.method.AuthPublickey;
import net.schmizz.sshj.userauth.method.PasswordResponseProvider;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;

/**
 * How a destination logs in, in upstream's order: the password (SSH {@code password} method, then
 * {@code keyboard-interactive} answering password prompts, for servers that only offer that), then the key file
 * ({@code publickey}). The key file is read and decrypted once, when the client is created, so a missing file,
 * an unreadable one or a wrong passphrase is a configuration error at start. Thread-safe.
 */
final class SftpLogin {
    private final Optional<String> password;
    private final Optional<KeyProvider> key;

    private SftpLogin(Optional<String> password, Optional<KeyProvider> key) {
        this.password = password;
        this.key = key;
    }

    /**
     * Reads the key file, if any.
     *
     * @throws ConfigException naming {@code key-path} and the file (never the passphrase) when it cannot be used
     */
    static SftpLogin of(SftpSettings s, Config config, String origin) {
        Optional<KeyProvider> key = Optional.empty();
        if (s.keyPath().isPresent()) {
            String file = s.keyPath().get().toString();
            if (!Files.isReadable(s.keyPath().get())) {
                throw new ConfigException(origin + ": key '" + SftpSettings.KEY_PATH + "' names no readable file: '"
                        + file + "'");
            }
            try (SSHClient loader = new SSHClient(config)) {
                KeyProvider kp = loader.loadKeys(file, finder(s.keyPassphrase()));
                kp.getPrivate(); // decrypts now: a wrong or missing passphrase fails here, not at the first login
                key = Optional.of(kp);
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(origin + ": key '" + SftpSettings.KEY_PATH + "': cannot use the private key "
                        + "in '" + file + "'" + (s.keyPassphrase().isPresent() ? " with the configured '"
                        + SftpSettings.KEY_PASSPHRASE + "'" : " (if it is encrypted, set '"
                        + SftpSettings.KEY_PASSPHRASE + "')") + ": " + e.getMessage(), e);
            }
        }
        return new SftpLogin(s.password(), key);
    }

    /** Fresh authentication methods for one login (sshj's methods keep state while they run). */
    List<AuthMethod> methods() {
        List<AuthMethod> methods = new ArrayList<>(3);
        password.ifPresent(p -> {
            methods.add(new AuthPassword(finder(password)));
            methods.add(new AuthKeyboardInteractive(new PasswordResponseProvider(finder(password))));
        });
        key.ifPresent(k -> methods.add(new AuthPublickey(k)));
        return methods;
    }

    /** Methods offered, for messages. */
    String describe() {
        return String.join(", ", (password.isPresent() ? "password, keyboard-interactive" : "")
                + (password.isPresent() && key.isPresent() ? ", " : "") + (key.isPresent() ? "publickey" : ""));
    }

    private static PasswordFinder finder(Optional<String> secret) {
        return new PasswordFinder() {
            @Override
            public char[] reqPassword(Resource<?> resource) {
                return secret.map(String::toCharArray).orElse(null);
            }

            @Override
            public boolean shouldRetry(Resource<?> resource) {
                return false;
            }
        };
    }
}
