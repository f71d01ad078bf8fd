# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""PowerShell run on Windows license servers through ``ansible.windows.win_powershell``.

Kept as Python strings so they ship with the controller code that uses them. Each text is marked
with a ``# powershell`` line and a name ending in ``_PS``: the test suite parses every such text with
tree-sitter-powershell and fails on syntax errors. All scripts here are read-only except
RENAME_ITEM_PS and REMOVE_VERIFIED_PS, and all take their inputs as parameters (never by string building).
"""

from __future__ import annotations

# powershell
COLLECT_INFO_PS = r"""
[CmdletBinding()]
param (
    [string]$InstallDir,
    [long]$MaxBytes = 1048576
)
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false

function Get-FileEntry {
    param ([System.IO.FileInfo]$File, [bool]$WithContent)
    $entry = [ordered]@{
        path = $File.FullName
        name = $File.Name
        size = $File.Length
        mtime = $File.LastWriteTimeUtc.ToString('o')
    }
    if ($WithContent) {
        $entry.content_b64 = $null
        if ($File.Length -le $MaxBytes) {
            $entry.content_b64 = [Convert]::ToBase64String([System.IO.File]::ReadAllBytes($File.FullName))
        }
    }
    $entry
}

function Invoke-ReadOnlyTool {
    param ([string]$Path, [string[]]$Arguments, [string]$WorkingDirectory)
    $info = New-Object -TypeName System.Diagnostics.ProcessStartInfo
    $info.FileName = $Path
    $info.Arguments = ($Arguments | ForEach-Object { '"' + ($_ -replace '"', '\"') + '"' }) -join ' '
    $info.WorkingDirectory = $WorkingDirectory
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.CreateNoWindow = $true
    $proc = [System.Diagnostics.Process]::Start($info)
    $stderrTask = $proc.StandardError.ReadToEndAsync()
    $stdout = $proc.StandardOutput.ReadToEnd()
    if (-not $proc.WaitForExit(60000)) {
        $proc.Kill()
        return [ordered]@{ rc = -1; stdout = $stdout; stderr = 'timed out after 60 s' }
    }
    [ordered]@{ rc = $proc.ExitCode; stdout = $stdout; stderr = $stderrTask.Result }
}

$startModes = @{ Automatic = 'auto'; Manual = 'manual'; Disabled = 'disabled'; Boot = 'boot'; System = 'system' }
$regKey = 'HKLM:\SOFTWARE\WOW6432Node\Citrix\LicenseServer\Install'
$registry = $null
if (Test-Path -LiteralPath $regKey) {
    $props = Get-ItemProperty -LiteralPath $regKey
    $registry = [ordered]@{ Version = $props.Version; LS_Install_Dir = $props.LS_Install_Dir }
}
if (-not $InstallDir -and $registry) {
    $InstallDir = $registry.LS_Install_Dir
}

$result = [ordered]@{
    collector = 'powershell'
    now = [DateTime]::UtcNow.ToString('o')
    computer_name = $env:COMPUTERNAME
    macs = @(Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = True' |
        Where-Object { $_.MACAddress } | ForEach-Object { $_.MACAddress })
    registry = $registry
    install_dir = $InstallDir
    install_dir_exists = [bool]($InstallDir -and (Test-Path -LiteralPath $InstallDir -PathType Container))
    services = @()
    lmhostid = $null
    management_service = $null
    myfiles = @()
    upload_result = $null
    proxy_config = $null
    pending = @()
    lmstat = $null
    disk = $null
}

foreach ($name in @('Citrix Licensing', 'CitrixWebServicesforLicensing', 'CitrixLicensingSupportService')) {
    $svc = Get-Service -Name $name -ErrorAction SilentlyContinue
    if ($svc) {
        $result.services += [ordered]@{
            name = $name; exists = $true
            state = $svc.Status.ToString().ToLowerInvariant()
            start_mode = $startModes[$svc.StartType.ToString()]
        }
    }
    else {
        $result.services += [ordered]@{ name = $name; exists = $false; state = $null; start_mode = $null }
    }
}

$diskRoot = [System.IO.Path]::GetPathRoot($(if ($InstallDir) { $InstallDir } else { $env:SystemDrive + '\' }))
$drive = New-Object -TypeName System.IO.DriveInfo -ArgumentList $diskRoot
$result.disk = [ordered]@{ free_bytes = $drive.AvailableFreeSpace; total_bytes = $drive.TotalSize }

if ($result.install_dir_exists) {
    $ls = Join-Path -Path $InstallDir -ChildPath 'LS'
    $lmhostid = Join-Path -Path $ls -ChildPath 'lmhostid.exe'
    if (Test-Path -LiteralPath $lmhostid) {
        $result.lmhostid = Invoke-ReadOnlyTool -Path $lmhostid -Arguments @('-hostname') -WorkingDirectory $ls
    }
    $lms = Join-Path -Path $ls -ChildPath 'ctx_license_management_service.exe'
    $result.management_service = [ordered]@{ path = $lms; exists = [bool](Test-Path -LiteralPath $lms) }
    if ($result.management_service.exists) {
        $query = Invoke-ReadOnlyTool -Path $lms -Arguments @('-query') -WorkingDirectory $ls
        foreach ($key in $query.Keys) { $result.management_service[$key] = $query[$key] }
    }
    $myFiles = Join-Path -Path $InstallDir -ChildPath 'MyFiles'
    if (Test-Path -LiteralPath $myFiles) {
        $result.myfiles = @(Get-ChildItem -LiteralPath $myFiles -File | Sort-Object -Property Name | ForEach-Object {
            Get-FileEntry -File $_ -WithContent ($_.Extension -eq '.lic')
        })
    }
    $uploadResult = Join-Path -Path $ls -ChildPath 'resource\cache\upload_compliance_result.xml'
    if (Test-Path -LiteralPath $uploadResult) {
        $result.upload_result = Get-FileEntry -File (Get-Item -LiteralPath $uploadResult) -WithContent $true
    }
    $config = Join-Path -Path $InstallDir -ChildPath 'WebServicesForLicensing\SimpleLicenseServiceConfig.xml'
    if (Test-Path -LiteralPath $config) {
        $result.proxy_config = Get-FileEntry -File (Get-Item -LiteralPath $config) -WithContent $true
    }
    $pendingDirs = @(
        @{ dir = 'resource\usage'; filter = 'upload_compliance*.zip' },
        @{ dir = 'resource\cis_bundles\ul_usage'; filter = 'upload_usage*.zip' },
        @{ dir = 'resource\cis bundles\ul_usage'; filter = 'upload_usage*.zip' }
    )
    foreach ($pending in $pendingDirs) {
        $dir = Join-Path -Path $ls -ChildPath $pending.dir
        if (Test-Path -LiteralPath $dir) {
            $result.pending += @(Get-ChildItem -LiteralPath $dir -Filter $pending.filter -File | ForEach-Object {
                Get-FileEntry -File $_ -WithContent $false
            })
        }
    }
    $lmstat = Join-Path -Path $ls -ChildPath 'lmstat.exe'
    if (Test-Path -LiteralPath $lmstat) {
        $result.lmstat = Invoke-ReadOnlyTool -Path $lmstat -Arguments @('-a', '-c', '@localhost') -WorkingDirectory $ls
    }
}

[PSCustomObject]$result
"""

# powershell
RENAME_ITEM_PS = r"""
[CmdletBinding()]
param (
    [Parameter(Mandatory = $true)][string]$Source,
    [Parameter(Mandatory = $true)][string]$Destination
)
$ErrorActionPreference = 'Stop'
Move-Item -LiteralPath $Source -Destination $Destination
$Ansible.Changed = $true
"""

# powershell
STAT_FILES_PS = r"""
[CmdletBinding()]
param (
    [Parameter(Mandatory = $true)][string[]]$Paths,
    [bool]$Checksum = $false
)
# Read-only: what win_stat reports for each path (exists, isdir, size, lastwritetime as seconds since the
# epoch, SHA-1 in lower case when asked), in one call. One answer per path, in order.
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
foreach ($path in $Paths) {
    $entry = [ordered]@{
        path = $path; exists = $false; isdir = $false; size = $null; lastwritetime = $null; checksum = $null
    }
    $item = Get-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue
    if ($null -ne $item) {
        $entry.exists = $true
        $entry.isdir = [bool]$item.PSIsContainer
        $entry.lastwritetime = [DateTimeOffset]::new($item.LastWriteTimeUtc).ToUnixTimeMilliseconds() / 1000.0
        if (-not $item.PSIsContainer) {
            $entry.size = $item.Length
            if ($Checksum) {
                $entry.checksum = (Get-FileHash -LiteralPath $path -Algorithm SHA1).Hash.ToLowerInvariant()
            }
        }
    }
    [PSCustomObject]$entry
}
"""

# powershell
REMOVE_VERIFIED_PS = r"""
[CmdletBinding()]
param (
    [Parameter(Mandatory = $true)][object[]]$Files
)
# Deletes each file whose size and SHA-1 are still those it was verified with, in one call; one file
# failing does not stop the others. One answer per file, in order: path, outcome (deleted, absent,
# changed, failed) and msg.
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
foreach ($file in $Files) {
    $path = [string]$file['path']
    $entry = [ordered]@{ path = $path; outcome = 'failed'; msg = $null }
    try {
        $item = Get-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue
        if ($null -eq $item) {
            $entry.outcome = 'absent'
        }
        elseif ($item.PSIsContainer -or $item.Length -ne [long]$file['size']) {
            $entry.outcome = 'changed'
        }
        elseif ((Get-FileHash -LiteralPath $path -Algorithm SHA1).Hash -ne [string]$file['sha1']) {
            $entry.outcome = 'changed'
        }
        else {
            Remove-Item -LiteralPath $path -Force
            $entry.outcome = 'deleted'
            $Ansible.Changed = $true
        }
    }
    catch {
        $entry.msg = $_.Exception.Message
    }
    [PSCustomObject]$entry
}
"""

# powershell
DISK_SPACE_PS = r"""
[CmdletBinding()]
param (
    [Parameter(Mandatory = $true)][string]$Path
)
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
$drive = New-Object -TypeName System.IO.DriveInfo -ArgumentList ([System.IO.Path]::GetPathRoot($Path))
[PSCustomObject]@{ free_bytes = $drive.AvailableFreeSpace; total_bytes = $drive.TotalSize }
"""

# powershell
PROBE_UPLOAD_PS = r"""
[CmdletBinding()]
param (
    [Parameter(Mandatory = $true)][string[]]$UploadHost,
    [int[]]$Port = @(443),
    [string]$ProxyHost,
    [int]$ProxyPort = 0,
    [int]$TimeoutSeconds = 10
)
# Read-only reachability probe of the telemetry upload endpoint and the License Activation Service
# endpoints (seed 004: outbound to https://cis.citrix.com/ from the License Server, or through the
# configured proxy), every target in one run: UploadHost[i] on Port[i]. Opens TCP connections and
# sends one HTTP CONNECT request per target; changes nothing on the host. One result per target, in order.
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
$timeoutMs = [Math]::Max(1, $TimeoutSeconds) * 1000
if ($Port.Count -ne $UploadHost.Count) {
    throw "UploadHost has $($UploadHost.Count) target(s) but Port has $($Port.Count)"
}

function Get-InnerMessage {
    param ([System.Exception]$Exception)
    while ($Exception.InnerException) { $Exception = $Exception.InnerException }
    $Exception.Message
}

function Connect-Tcp {
    param ([System.Net.Sockets.TcpClient]$Client, [string]$TargetHost, [int]$TargetPort)
    $task = $Client.ConnectAsync($TargetHost, $TargetPort)
    if (-not $task.Wait($timeoutMs)) {
        throw [System.TimeoutException]::new("connect to ${TargetHost}:$TargetPort timed out after $TimeoutSeconds s")
    }
}

function Test-Target {
    param ([string]$TargetHost, [int]$TargetPort)
    $dns = [ordered]@{ ok = $false; addresses = @(); error = $null }
    try {
        $dns.addresses = @([System.Net.Dns]::GetHostAddresses($TargetHost) | ForEach-Object { $_.IPAddressToString })
        $dns.ok = $dns.addresses.Count -gt 0
    }
    catch {
        $dns.error = Get-InnerMessage -Exception $_.Exception
    }

    $direct = [ordered]@{ ok = $false; error = $null }
    $client = New-Object -TypeName System.Net.Sockets.TcpClient
    try {
        Connect-Tcp -Client $client -TargetHost $TargetHost -TargetPort $TargetPort
        $direct.ok = $true
    }
    catch {
        $direct.error = Get-InnerMessage -Exception $_.Exception
    }
    finally {
        $client.Dispose()
    }

    $proxy = $null
    if ($ProxyHost) {
        $proxy = [ordered]@{ configured = $true; status_line = $null; error = $null }
        $client = New-Object -TypeName System.Net.Sockets.TcpClient
        try {
            Connect-Tcp -Client $client -TargetHost $ProxyHost -TargetPort $ProxyPort
            $stream = $client.GetStream()
            $stream.ReadTimeout = $timeoutMs
            $stream.WriteTimeout = $timeoutMs
            $target = '{0}:{1}' -f $TargetHost, $TargetPort
            $request = [System.Text.Encoding]::ASCII.GetBytes("CONNECT $target HTTP/1.1`r`nHost: $target`r`n`r`n")
            $stream.Write($request, 0, $request.Length)
            $stream.Flush()
            $reader = New-Object -TypeName System.IO.StreamReader -ArgumentList $stream, ([System.Text.Encoding]::ASCII)
            $proxy.status_line = $reader.ReadLine()
            if ($null -eq $proxy.status_line) {
                $proxy.error = 'the proxy closed the connection without answering the CONNECT request'
            }
        }
        catch {
            $proxy.error = Get-InnerMessage -Exception $_.Exception
        }
        finally {
            $client.Dispose()
        }
    }
    [PSCustomObject]@{ dns = $dns; direct = $direct; proxy = $proxy }
}

for ($i = 0; $i -lt $UploadHost.Count; $i++) {
    Test-Target -TargetHost $UploadHost[$i] -TargetPort $Port[$i]
}
"""
