<?php
// Publishes through Symfony's Mercure component (Debian's php-symfony-mercure), a publisher
// nobody on this project wrote. Usage: HUB_URL=… JWT_SECRET=… TOPIC=… php symfony-publish.php
declare(strict_types=1);

require '/usr/share/php/Symfony/Component/Mercure/autoload.php';

use Symfony\Component\Mercure\Hub;
use Symfony\Component\Mercure\Jwt\StaticTokenProvider;
use Symfony\Component\Mercure\Update;

function b64url(string $raw): string
{
    return rtrim(strtr(base64_encode($raw), '+/', '-_'), '=');
}

// lcobucci/jwt is not packaged in Debian, so sign the HS256 token here.
$header = b64url(json_encode(['alg' => 'HS256', 'typ' => 'JWT']));
$claims = b64url(json_encode(['mercure' => ['publish' => ['*']]]));
$signature = b64url(hash_hmac('sha256', "$header.$claims", getenv('JWT_SECRET'), true));

$hub = new Hub(getenv('HUB_URL'), new StaticTokenProvider("$header.$claims.$signature"));
$topic = getenv('TOPIC');

echo $hub->publish(new Update($topic, json_encode(['from' => 'symfony', 'private' => false]))), "\n";
echo $hub->publish(new Update([$topic, "$topic/alternate"], json_encode(['from' => 'symfony', 'private' => true]), true, null, 'symfony-private')), "\n";
