package io.litefleet.replica.sftp;

import io.litefleet.api.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * Which server host keys a destination accepts: the configured {@code host-key} and every matching entry of the
 * known_hosts file (OpenSSH format, hashed names and {@code [host]:port} entries included), read again at each
 * connection so a key added after a refusal is picked up without a restart. With
 * {@code insecure-ignore-host-key: true} any key is accepted, with a warning naming it. Thread-safe.
 */
final class HostKeyPolicy {
    private static final System.Logger LOG = System.getLogger(HostKeyPolicy.class.getName());

    private final SftpSettings settings;
    private final Optional<byte[]> pinned;

    private HostKeyPolicy(SftpSettings settings, Optional<byte[]> pinned) {
        this.settings = settings;
        this.pinned = pinned;
    }

    /**
     * The policy of a destination; checks {@code host-key} and the known_hosts file now.
     *
     * @param origin the settings' origin, for messages
     * @throws ConfigException when {@code host-key} is not a public key or a configured known_hosts file is missing
     */
    static HostKeyPolicy of(SftpSettings settings, String origin) {
        Optional<byte[]> pinned = settings.hostKey().map(line -> parseHostKey(origin, line));
        if (settings.knownHostsExplicit() && !Files.isRegularFile(settings.knownHosts())) {
            throw new ConfigException(origin + ": key '" + SftpSettings.KNOWN_HOSTS_PATH + "' names no file: '"
                    + settings.knownHosts() + "'");
        }
        return new HostKeyPolicy(settings, pinned);
    }

    /** A verifier for one connection attempt, which remembers why it refused a key. */
    Check check() throws IOException {
        Path kh = settings.knownHosts();
        OpenSSHKnownHosts knownHosts = new OpenSSHKnownHosts(kh.toFile()); // a missing file has no entries
        return new Check(knownHosts);
    }

    /** OpenSSH's fingerprint of a key: {@code SHA256:} and the unpadded base64 of the key blob's SHA-256. */
    static String fingerprint(PublicKey key) {
        return fingerprint(blob(key));
    }

    private static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] blob(PublicKey key) {
        return new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
    }

    /**
     * The key blob of an {@code authorized_keys}-style line ({@code [options] type base64 [comment]}), as upstream's
     * {@code ssh.ParseAuthorizedKey} reads {@code host-key}.
     */
    private static byte[] parseHostKey(String origin, String line) {
        String[] tokens = line.trim().split("\\s+");
        for (int i = 0; i + 1 < tokens.length; i++) {
            if (KeyType.fromString(tokens[i]) == KeyType.UNKNOWN) {
                continue;
            }
            try {
                byte[] blob = Base64.getDecoder().decode(tokens[i + 1]);
                PublicKey key = new Buffer.PlainBuffer(blob).readPublicKey();
                if (KeyType.fromKey(key).toString().equals(tokens[i])) {
                    return blob(key);
                }
            } catch (Buffer.BufferException | RuntimeException e) {
                break;
            }
        }
        String shown = line.length() > 40 ? line.substring(0, 40) + "..." : line;
        throw new ConfigException(origin + ": key '" + SftpSettings.HOST_KEY + "' must be a public key line such as "
                + "'ssh-ed25519 AAAAC3Nza...' (ssh-keyscan prints them), got '" + shown + "'");
    }

    /** One connection attempt's verifier. */
    final class Check implements HostKeyVerifier {
        private final OpenSSHKnownHosts knownHosts;
        private volatile String refusal;

        private Check(OpenSSHKnownHosts knownHosts) {
            this.knownHosts = knownHosts;
        }

        @Override
        public boolean verify(String hostname, int port, PublicKey key) {
            String fp = KeyType.fromKey(key) + " " + fingerprint(key);
            String host = hostname.contains(":") ? "[" + hostname + "]:" + port : hostname + ":" + port;
            if (pinned.isPresent() && Arrays.equals(pinned.get(), blob(key))) {
                return true;
            }
            if (knownHosts.verify(hostname, port, key)) {
                return true;
            }
            if (settings.insecureIgnoreHostKey()) {
                LOG.log(System.Logger.Level.WARNING, "{0}: host key checking is off ({1}: true): accepting the "
                        + "unverified host key {2} of {3}", settings.describe(),
                        SftpSettings.INSECURE_IGNORE_HOST_KEY, fp, host);
                return true;
            }
            refusal = refusal(host, port, fp, !knownHosts.findExistingAlgorithms(hostname, port).isEmpty());
            return false;
        }

        private String refusal(String host, int port, String fp, boolean known) {
            String how = "check the fingerprint with the server's administrator, then add the key with 'ssh-keyscan"
                    + (port == SftpSettings.DEFAULT_PORT ? "" : " -p " + port) + " " + settings.host() + " >> "
                    + settings.knownHosts() + "' or set '" + SftpSettings.HOST_KEY + "' to the key line ('"
                    + SftpSettings.INSECURE_IGNORE_HOST_KEY + ": true' turns checking off, insecurely)";
            if (pinned.isPresent() || known) {
                return "the host key of " + host + " does not match " + (pinned.isPresent() ? "'"
                        + SftpSettings.HOST_KEY + "' (" + fingerprint(pinned.get()) + ")" : "")
                        + (pinned.isPresent() && known ? " nor " : "") + (known ? "the key recorded in "
                        + settings.knownHosts() : "") + ": the server offered " + fp
                        + "; if the key was changed on purpose, " + how + "; otherwise someone may be intercepting "
                        + "the connection";
            }
            return "unknown host " + host + ": its host key " + fp + " is not in " + settings.knownHosts()
                    + (Files.isRegularFile(settings.knownHosts()) ? "" : " (no such file)") + "; " + how;
        }

        @Override
        public List<String> findExistingAlgorithms(String hostname, int port) {
            List<String> algorithms = new ArrayList<>(knownHosts.findExistingAlgorithms(hostname, port));
            pinned.ifPresent(b -> {
                try {
                    algorithms.add(KeyType.fromKey(new Buffer.PlainBuffer(b).readPublicKey()).toString());
                } catch (Buffer.BufferException e) {
                    throw new IllegalStateException("checked when parsed", e);
                }
            });
            return algorithms;
        }

        /** Why the last key was refused, or empty if none was. */
        Optional<String> refusal() {
            return Optional.ofNullable(refusal);
        }
    }
}
