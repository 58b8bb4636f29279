package io.litefleet.replica.sftp;

import io.litefleet.api.replica.ReplicaException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import net.schmizz.concurrent.Promise;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPException;

/**
 * Bytes {@code [offset, end)} of a remote file (or up to its end), read with pipelined requests: the window of
 * requests in flight starts at one (a small LTX file costs one round trip plus the one that sees its end) and doubles
 * with every answer up to {@value #MAX_IN_FLIGHT} requests of {@value #CHUNK} bytes. At most the window's data is in
 * memory. Failures are {@link ReplicaException}s naming the destination and key; a lost connection is reported to the
 * session so the next call reconnects. Closing closes the remote handle. Not thread-safe.
 */
final class SftpObjectStream extends InputStream {
    private static final int CHUNK = 32 * 1024;
    private static final int MAX_IN_FLIGHT = 16;

    private final SftpFile file;
    private final long end;
    private final SftpSession session;
    private final SftpConnection connection;
    private final String destination;
    private final String key;
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    private long nextRequest;
    private int window = 1;
    private byte[] buf = new byte[0];
    private int bufPos;
    private int bufEnd;
    private boolean eof;
    private boolean closed;

    private record Pending(long offset, int length, Promise<Response, SFTPException> answer) {
    }

    /**
     * A stream over an open file, which it then owns.
     *
     * @param end the offset to stop at (exclusive), {@link Long#MAX_VALUE} for the whole file
     */
    SftpObjectStream(SftpFile file, long offset, long end, SftpSession session, SftpConnection connection,
                     String destination, String key) {
        this.file = file;
        this.nextRequest = offset;
        this.end = end;
        this.session = session;
        this.connection = connection;
        this.destination = destination;
        this.key = key;
        this.eof = offset >= end;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException(destination + ": get " + key + ": stream is closed");
        }
        if (len == 0) {
            return 0;
        }
        while (bufPos == bufEnd) {
            if (eof) {
                return -1;
            }
            fill();
        }
        int n = Math.min(len, bufEnd - bufPos);
        System.arraycopy(buf, bufPos, b, off, n);
        bufPos += n;
        return n;
    }

    @Override
    public int available() {
        return bufEnd - bufPos;
    }

    private void fill() throws ReplicaException {
        try {
            while (inFlight.size() < window && nextRequest < end) {
                int n = (int) Math.min(CHUNK, end - nextRequest);
                inFlight.add(new Pending(nextRequest, n, file.sendRead(nextRequest, n)));
                nextRequest += n;
            }
            Pending p = inFlight.poll();
            if (p == null) {
                eof = true;
                return;
            }
            Response answer = p.answer().retrieve(file.timeoutMs(), TimeUnit.MILLISECONDS);
            if (answer.getType() == net.schmizz.sshj.sftp.PacketType.STATUS) {
                answer.ensureStatusIs(Response.StatusCode.EOF);
                eof = true;
                inFlight.clear();
                return;
            }
            answer.ensurePacketTypeIs(net.schmizz.sshj.sftp.PacketType.DATA);
            int got = answer.readUInt32AsInt();
            buf = answer.array();
            bufPos = answer.rpos();
            bufEnd = bufPos + got;
            if (got == 0) {
                eof = true;
            } else if (got < p.length()) {
                // A short read: the requests already sent start after a gap, so ask again from where this one ended.
                inFlight.clear();
                nextRequest = p.offset() + got;
            }
            if (p.offset() + got >= end) {
                eof = true;
            }
            window = Math.min(window * 2, MAX_IN_FLIGHT);
        } catch (IOException e) {
            if (SftpErrors.isConnectionLoss(e)) {
                session.lost(connection);
            }
            throw SftpErrors.map(destination, "get", key, e);
        }
    }

    /** Closes the remote handle (skipped when the connection is gone). */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        inFlight.clear();
        if (connection.isAlive()) {
            try {
                file.close();
            } catch (IOException e) {
                if (SftpErrors.isConnectionLoss(e)) {
                    session.lost(connection);
                }
                throw SftpErrors.map(destination, "get", key, e);
            }
        }
    }
}
