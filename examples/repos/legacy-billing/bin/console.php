<?php
// Tiny CLI entry point for cron jobs: php bin/console.php <command> [--option=value]
require __DIR__ . '/../vendor/autoload.php';

use Acme\Billing\Invoice\InvoiceGenerator;
use Acme\Billing\Support\Db;
use Acme\Billing\Support\Log;

$config = require __DIR__ . '/../config/config.php';
$command = $argv[1] ?? 'help';
$opts = [];
foreach (array_slice($argv, 2) as $arg) {
    if (preg_match('/^--([a-z-]+)(?:=(.*))?$/', $arg, $m)) {
        $opts[$m[1]] = $m[2] ?? true;
    }
}

$db = Db::connect($config['db']);
switch ($command) {
    case 'invoices:generate':
        $month = $opts['month'] ?? date('Y-m', strtotime('first day of last month'));
        $gen = new InvoiceGenerator($db, $config);
        $count = $gen->generateForMonth($month, !isset($opts['no-mail']));
        Log::info("generated $count invoices for $month");
        break;
    case 'export:datev':
        Log::info('DATEV export started');
        // see src/Invoice/DatevExport.php (not migrated yet, still in legacy/)
        break;
    default:
        echo "commands: invoices:generate, export:datev\n";
}
