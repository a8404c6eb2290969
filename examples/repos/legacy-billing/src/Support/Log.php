<?php
namespace Acme\Billing\Support;

/**
 * Writes plain text lines to /var/log/billing/app.log (logrotate on billing01 keeps 4 weeks).
 */
class Log
{
    const FILE = '/var/log/billing/app.log';

    public static function info(string $msg): void
    {
        self::write('INFO', $msg);
    }

    public static function error(string $msg): void
    {
        self::write('ERROR', $msg);
    }

    private static function write(string $level, string $msg): void
    {
        $line = sprintf("[%s] %s: %s\n", date('Y-m-d H:i:s'), $level, $msg);
        @file_put_contents(self::FILE, $line, FILE_APPEND);
    }
}
